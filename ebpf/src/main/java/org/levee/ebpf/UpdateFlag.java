package org.levee.ebpf;

/** How {@code BPF_MAP_UPDATE_ELEM} treats an existing or missing key. */
public enum UpdateFlag {
    /** Create or replace ({@code BPF_ANY}). */
    ANY(0),
    /** Create only: fails with EEXIST when the key exists ({@code BPF_NOEXIST}). */
    NOEXIST(1),
    /** Replace only: fails with ENOENT when the key is missing ({@code BPF_EXIST}). */
    EXIST(2);

    private final long value;

    UpdateFlag(long value) {
        this.value = value;
    }

    public long value() {
        return value;
    }
}

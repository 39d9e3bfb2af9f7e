package org.levee.ebpf;

/** The attach types ({@code enum bpf_attach_type}) Levee uses, with their kernel numbers. */
public enum AttachType {
    /** No particular attach type (number 0, which is also BPF_CGROUP_INET_INGRESS). */
    UNSPECIFIED(0),
    XDP_DEVMAP(33),
    XDP_CPUMAP(35),
    XDP(37);

    private final int number;

    AttachType(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}

package org.levee.ebpf;

/**
 * What the kernel reports about a link ({@code struct bpf_link_info}): its type
 * ({@code BPF_LINK_TYPE_*}, {@link #TYPE_XDP} for XDP), id, the attached program's id and, for XDP
 * links, the interface index (0 once the link is detached).
 */
public record LinkInfo(int type, int id, int programId, int ifindex) {
    public static final int TYPE_XDP = 6;
}

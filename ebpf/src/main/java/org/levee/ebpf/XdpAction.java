package org.levee.ebpf;

/** The verdicts of an XDP program ({@code enum xdp_action}); also the slots of the exit hook. */
public enum XdpAction {
    ABORTED,
    DROP,
    PASS,
    TX,
    REDIRECT;

    /** The kernel's number, which is also the index of this action's slot in {@code xdpcap_hook}. */
    public int code() {
        return ordinal();
    }

    public static XdpAction of(int code) {
        if (code < 0 || code >= values().length) {
            throw new IllegalArgumentException("XDP action " + code + " is not 0..4");
        }
        return values()[code];
    }
}

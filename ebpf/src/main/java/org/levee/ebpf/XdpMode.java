package org.levee.ebpf;

/** Where an XDP program runs: in the driver (native) or after the skb is built (generic). */
public enum XdpMode {
    /** {@code XDP_FLAGS_DRV_MODE}: in the driver; fails when the driver has no XDP support. */
    NATIVE(4),
    /** {@code XDP_FLAGS_SKB_MODE}: generic XDP, works on every interface, much slower. */
    GENERIC(2);

    private final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    /** The {@code XDP_FLAGS_*} value passed as the link's flags. */
    public int flags() {
        return flags;
    }
}

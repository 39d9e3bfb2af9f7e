package org.levee.cbpf.pcap;

/**
 * The link-layer header types Levee compiles filters for and reads captures of. Two numbering
 * schemes exist: libpcap's {@code DLT_*} values, which {@code pcap_open_dead} takes and which
 * differ between platforms for some types, and the {@code LINKTYPE_*} values written in pcap and
 * pcapng files, which are the same everywhere. For raw IP they differ on Linux: {@code DLT_RAW}
 * is 12 while {@code LINKTYPE_RAW} is 101.
 */
public enum LinkType {
    /** Ethernet (and 802.1Q/802.1ad tagged Ethernet): what XDP sees. */
    EN10MB(1, 1),
    /** Raw IPv4 or IPv6, no link-layer header. */
    RAW(12, 101),
    /** Linux "cooked" capture, version 1. */
    LINUX_SLL(113, 113);

    private final int dlt;
    private final int fileLinkType;

    LinkType(int dlt, int fileLinkType) {
        this.dlt = dlt;
        this.fileLinkType = fileLinkType;
    }

    /** The {@code DLT_*} value of libpcap on Linux, as {@code pcap_open_dead} takes it. */
    public int dlt() {
        return dlt;
    }

    /** The {@code LINKTYPE_*} value written in pcap and pcapng files. */
    public int fileLinkType() {
        return fileLinkType;
    }

    /** The link type whose file value ({@code LINKTYPE_*}) is {@code value}. */
    public static LinkType fromFileLinkType(int value) {
        for (LinkType type : values()) {
            if (type.fileLinkType == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("link type " + value + " is not one Levee handles (known: "
                + java.util.Arrays.toString(values()) + ")");
    }
}

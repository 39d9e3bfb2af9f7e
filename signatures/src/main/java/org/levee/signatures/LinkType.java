package org.levee.signatures;

import java.util.Locale;

/** What the packets a filter sees start with; the names are libpcap's (DLT_EN10MB, DLT_RAW). */
public enum LinkType {
    /** Ethernet II, optionally with one 802.1Q (0x8100) or 802.1ad (0x88a8) tag: what XDP sees. */
    EN10MB,
    /** The IP header first, version 4 or 6 told apart by its first nibble. */
    RAW;

    /** Parses {@code en10mb} or {@code raw} (any case). */
    public static LinkType parse(String name) {
        for (LinkType type : values()) {
            if (type.name().equalsIgnoreCase(name)) {
                return type;
            }
        }
        throw new SignatureException("link type '" + name + "' is unknown: use en10mb or raw");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package org.levee.capture.pcapng;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One Interface Description Block of a {@link PcapNgStreamWriter}.
 *
 * @param name        {@code if_name}, e.g. {@code XDPdrop}
 * @param description {@code if_description}, or null for none
 * @param filter      {@code if_filter} as a libpcap filter string, or null for none
 * @param linkType    the link type ({@link #ETHERNET} for XDP)
 * @param snaplen     the snapshot length: no packet of the interface has more captured bytes
 */
public record PcapNgInterface(String name, String description, String filter, int linkType, int snaplen) {
    /** {@code LINKTYPE_ETHERNET}. */
    public static final int ETHERNET = 1;

    public PcapNgInterface {
        Objects.requireNonNull(name, "name");
        checkOption("name", name);
        if (description != null) {
            checkOption("description", description);
        }
        if (filter != null) {
            checkOption("filter", filter);
        }
        if (linkType < 0 || linkType > 0xffff) {
            throw new IllegalArgumentException(
                    "interface '" + name + "': link type " + linkType + " does not fit the 16-bit field");
        }
        if (snaplen <= 0) {
            throw new IllegalArgumentException("interface '" + name + "': snaplen must be positive, got " + snaplen);
        }
    }

    private static void checkOption(String what, String value) {
        // An option's length is a 16-bit field; the filter option spends one byte on its type.
        if (value.getBytes(StandardCharsets.UTF_8).length > 0xffff - 1) {
            throw new IllegalArgumentException(
                    "interface " + what + " is longer than a pcapng option can hold " + "(65534 bytes of UTF-8)");
        }
    }
}

package org.levee.cli;

import org.levee.cbpf.pcap.LinkType;
import picocli.CommandLine.Option;

/** The {@code --linktype} option of the generators: what the filtered packets start with. */
final class LinkTypeOption {
    enum Name {
        en10mb(LinkType.EN10MB),
        raw(LinkType.RAW);

        final LinkType type;

        Name(LinkType type) {
            this.type = type;
        }
    }

    @Option(
            names = "--linktype",
            paramLabel = "TYPE",
            defaultValue = "en10mb",
            description = "What packets start with: en10mb (Ethernet, as XDP sees them; one 802.1Q or 802.1ad tag "
                    + "allowed) or raw (the IP header). Default: ${DEFAULT-VALUE}.")
    Name name;

    LinkType type() {
        return name.type;
    }
}

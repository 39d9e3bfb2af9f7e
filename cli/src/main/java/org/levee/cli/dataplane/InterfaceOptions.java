package org.levee.cli.dataplane;

import org.levee.cli.common.UserException;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.PinLayout;
import picocli.CommandLine.Option;

/** {@code -i IFACE [--netns NAME]}, shared by the commands that touch an interface. */
public final class InterfaceOptions {
    @Option(
            names = {"-i", "--interface"},
            required = true,
            paramLabel = "IFACE",
            description = "the network interface")
    String iface;

    @Option(
            names = "--netns",
            paramLabel = "NAME",
            description =
                    "the network namespace of the interface (under /var/run/netns); pins stay in the host's bpffs")
    String netns;

    public String iface() {
        return iface;
    }

    /** The namespace's name, or null for the host's. */
    public String netns() {
        return netns;
    }

    PinLayout layout() {
        try {
            return new PinLayout(iface, netns);
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}

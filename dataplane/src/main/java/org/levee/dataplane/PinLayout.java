package org.levee.dataplane;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.levee.ebpf.BpfFs;

/**
 * Where the pins of one interface live in the host's bpffs:
 * {@code /sys/fs/bpf/levee/<netns>/<iface>/}, or {@code /sys/fs/bpf/levee/<iface>/} for an
 * interface of the host's namespace. Map pins are named like the maps; the link is {@code link},
 * the state of the attachment {@code levee_info}.
 *
 * @param iface the interface name
 * @param netns the network namespace name, or null for the host's
 */
public record PinLayout(String iface, String netns) {
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    public static final String LINK = "link";
    public static final String INFO = "levee_info";

    public PinLayout {
        if (iface == null || !IFACE.matcher(iface).matches() || iface.equals(".") || iface.equals("..")) {
            throw new DataplaneException(
                    "interface name '" + iface + "' is not valid (1–15 characters, no '/' or spaces)");
        }
        if (netns != null && (!NETNS.matcher(netns).matches() || netns.equals(".") || netns.equals(".."))) {
            throw new DataplaneException("network namespace name '" + netns + "' is not valid");
        }
    }

    /** The directory relative to the bpffs root. */
    public String relative() {
        return netns == null ? "levee/" + iface : "levee/" + netns + "/" + iface;
    }

    /** The directory (the bpffs may not be mounted yet). */
    public Path directory() {
        return BpfFs.ROOT.resolve(relative());
    }

    public Path pin(String name) {
        return directory().resolve(name);
    }

    /** "interface eth0" or "interface veth0 in network namespace lab". */
    public String describe() {
        return "interface " + iface + (netns == null ? "" : " in network namespace " + netns);
    }
}

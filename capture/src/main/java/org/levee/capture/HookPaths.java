package org.levee.capture;

import java.nio.file.Path;
import org.levee.ebpf.BpfFs;

/**
 * Where the data plane pins an interface's xdpcap hook:
 * {@code /sys/fs/bpf/levee/[<netns>/]<iface>/xdpcap_hook}.
 */
public final class HookPaths {
    private HookPaths() {}

    /** The file name of the hook pin in an interface's pin directory. */
    public static final String HOOK_PIN = "xdpcap_hook";

    /** The hook of {@code iface}, in network namespace {@code netns} (null: the host's). */
    public static Path forInterface(String iface, String netns) {
        requireName("interface", iface);
        Path dir = BpfFs.ROOT.resolve("levee");
        if (netns != null) {
            requireName("network namespace", netns);
            dir = dir.resolve(netns);
        }
        return dir.resolve(iface).resolve(HOOK_PIN);
    }

    private static void requireName(String what, String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " name '" + name + "' is not a valid name (empty, '/', '.' or '..')");
        }
    }
}

package org.levee.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Notices when Levee runs in a private mount namespace, as under {@code ip netns exec}: there
 * /sys (and any bpffs mounted below it) is private to this one command, so pins made there
 * vanish when it exits and a link held only by such a pin is released, detaching the program.
 */
final class MountNamespaces {
    private MountNamespaces() {}

    /** Throws, pointing to {@code --netns}, when this process's mount namespace is not init's. */
    static void requireHostMounts() {
        String self = namespace(Path.of("/proc/self/ns/mnt"));
        String init = namespace(Path.of("/proc/1/ns/mnt"));
        if (self != null && init != null && !self.equals(init)) {
            throw new DataplaneException("this process runs in a private mount namespace (" + self + ", not the host's "
                    + init + "), as under 'ip netns exec': pins made here vanish when it exits and would detach the program."
                    + " Run levee in the host's namespaces and pass --netns NAME instead of using 'ip netns exec'");
        }
    }

    private static String namespace(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // unreadable (no /proc, not allowed): nothing to compare, assume the host's
        }
    }
}

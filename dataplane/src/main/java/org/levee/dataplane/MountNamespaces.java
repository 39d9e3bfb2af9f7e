package org.levee.dataplane;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.levee.ebpf.netns.Netns;

/**
 * Notices when Levee runs as under {@code ip netns exec}: there /sys (and any bpffs mounted
 * below it) is private to this one command, so pins made there vanish when it exits and a link
 * held only by such a pin is released, detaching the program.
 *
 * <p>Two signs, either enough: this process's mount namespace is not init's (when
 * {@code /proc/1/ns/mnt} is readable), or its network namespace is one of the named ones in
 * /var/run/netns (which is what {@code ip netns exec NAME} switches to; a process started
 * normally lives in the host's unnamed namespace).
 */
final class MountNamespaces {
    private MountNamespaces() {}

    /** Throws, pointing to {@code --netns}, when pins made by this process would not survive it. */
    static void requireHostMounts() {
        Optional<String> self = link(Path.of("/proc/self/ns/mnt"));
        Optional<String> init = link(Path.of("/proc/1/ns/mnt"));
        if (self.isPresent() && init.isPresent() && !self.equals(init)) {
            // A network namespace joined alone (nsenter --net) keeps the host's mounts and is fine;
            // 'ip netns exec' also makes a private mount namespace with a /sys of its own.
            Optional<String> named = namedNetworkNamespace();
            throw refusal(named.map(n -> "runs inside network namespace '" + n + "', as under 'ip netns exec " + n + "'")
                    .orElse("runs in a private mount namespace (" + self.get() + ", not init's " + init.get() + ")"));
        }
    }

    private static DataplaneException refusal(String why) {
        return new DataplaneException("this process " + why + ": its /sys and bpffs are private to it, so pins made here would"
                + " vanish when it exits and detach the program. Run levee in the host's namespaces and pass --netns NAME instead");
    }

    /** The name under /var/run/netns of this process's network namespace, if it has one. */
    private static Optional<String> namedNetworkNamespace() {
        Object own = inode(Path.of("/proc/self/ns/net"));
        if (own == null || !Files.isDirectory(Netns.DIRECTORY)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> names = Files.newDirectoryStream(Netns.DIRECTORY)) {
            for (Path name : names) {
                if (own.equals(inode(name))) {
                    return Optional.of(name.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return Optional.empty(); // unreadable: nothing to compare
        }
        return Optional.empty();
    }

    /** "dev:inode" of the file a namespace link or bind mount stands for, or null when it cannot be read. */
    private static Object inode(Path path) {
        try {
            return Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static Optional<String> link(Path link) {
        try {
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // unreadable (no /proc, not allowed): nothing to compare
        }
    }
}

package org.levee.dataplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.levee.ebpf.netns.Netns;

/**
 * Notices when Levee runs as under {@code ip netns exec}: there /sys (and any bpffs mounted
 * below it) is private to this one command, so pins made there vanish when it exits and a link
 * held only by such a pin is released, detaching the program.
 *
 * <p>Two signs, either enough: this process's mount namespace is not init's (when
 * {@code /proc/1/ns/mnt} is readable), or its network namespace is one of the named ones in
 * /var/run/netns and its /sys lists that namespace's devices (what {@code ip netns exec NAME}
 * mounts). A named namespace joined alone ({@code nsenter --net}) keeps the host's /sys and
 * mounts, and is allowed.
 */
final class MountNamespaces {
    private MountNamespaces() {}

    /** Throws, pointing to {@code --netns}, when pins made by this process would not survive it. */
    static void requireHostMounts() {
        Optional<String> named = namedNetworkNamespace();
        // 'ip netns exec' mounts a /sys of its own, made inside the namespace, so it lists the
        // namespace's devices; a network namespace joined alone (nsenter --net) keeps the host's
        // /sys, which lists the host's. This holds where init's mount namespace cannot be read.
        if (named.isPresent() && sysfsListsThisNamespacesDevices()) {
            throw refusal("runs inside network namespace '" + named.get() + "', as under 'ip netns exec " + named.get()
                    + "'");
        }
        Optional<String> self = link(Path.of("/proc/self/ns/mnt"));
        Optional<String> init = link(Path.of("/proc/1/ns/mnt"));
        if (self.isPresent() && init.isPresent() && !self.equals(init)) {
            throw refusal(named.map(
                            n -> "runs inside network namespace '" + n + "', as under 'ip netns exec " + n + "'")
                    .orElse("runs in a private mount namespace (" + self.get() + ", not init's " + init.get() + ")"));
        }
    }

    /**
     * Whether /sys/class/net names exactly the devices of this thread's network namespace (from
     * /proc/thread-self/net/dev): true where /sys was mounted inside it.
     */
    private static boolean sysfsListsThisNamespacesDevices() {
        try (var sysfs = Files.list(Path.of("/sys/class/net"))) {
            Set<String> mounted = sysfs.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            Set<String> own = Files.readAllLines(Path.of("/proc/thread-self/net/dev")).stream()
                    .filter(line -> line.contains(":"))
                    .map(line -> line.substring(0, line.indexOf(':')).strip())
                    .collect(Collectors.toSet());
            return !own.isEmpty() && own.equals(mounted);
        } catch (IOException | UncheckedIOException e) {
            return false; // unreadable: no evidence either way
        }
    }

    private static DataplaneException refusal(String why) {
        return new DataplaneException(
                "this process " + why + ": its /sys and bpffs are private to it, so pins made here would"
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

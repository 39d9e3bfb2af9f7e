package org.levee.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.levee.ebpf.internal.Libc;

/**
 * The BPF file system, where pins live. New machines have none mounted at /sys/fs/bpf;
 * {@link #ensureMounted()} mounts it. Pin in the host's bpffs: a bpffs mounted by
 * {@code ip netns exec} is private to that one command.
 */
public final class BpfFs {
    private BpfFs() {}

    /** The conventional mount point. */
    public static final Path ROOT = Path.of("/sys/fs/bpf");
    /** {@code BPF_FS_MAGIC}: the f_type statfs reports for a bpffs. */
    public static final long MAGIC = 0xcafe4a11L;

    /** True when {@code path} is inside a mounted bpffs. */
    public static boolean isBpfFs(Path path) {
        return Files.exists(path) && Libc.statfsType(path.toString()) == MAGIC;
    }

    /** Mounts a bpffs at /sys/fs/bpf unless one is there; returns the mount point. */
    public static synchronized Path ensureMounted() {
        if (!isBpfFs(ROOT)) {
            try {
                Files.createDirectories(ROOT);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + ROOT, e);
            }
            Libc.mount("bpf", ROOT.toString(), "bpf");
        }
        return ROOT;
    }

    /** Creates (with parents) the directory {@code relative} under the mounted bpffs and returns it. */
    public static Path directory(String relative) {
        Path dir = ensureMounted().resolve(relative).normalize();
        if (!dir.startsWith(ROOT)) {
            throw new IllegalArgumentException("pin directory '" + relative + "' leaves " + ROOT);
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create pin directory " + dir, e);
        }
    }

    /** Removes a pin (the object lives on while other fds or pins hold it); false when it was missing. */
    public static boolean unpin(Path pin) {
        try {
            return Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pin " + pin, e);
        }
    }

    /** Removes a directory of pins and everything under it; false when it was missing. */
    public static boolean removeTree(Path dir) {
        if (!dir.toAbsolutePath().normalize().startsWith(ROOT)
                || dir.toAbsolutePath().normalize().equals(ROOT)) {
            throw new IllegalArgumentException("refusing to remove " + dir + ": not a directory below " + ROOT);
        }
        if (!Files.exists(dir)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pins under " + dir, e);
        }
    }
}

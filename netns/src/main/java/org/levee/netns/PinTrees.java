package org.levee.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes directories of BPF pins a lab made, and nothing outside the bpffs root. */
final class PinTrees {
    static final Path BPFFS_ROOT = Path.of("/sys/fs/bpf");

    private PinTrees() {}

    /** Deletes {@code dir} and everything below it (unlinking a pin releases the pinned object); false when it was not there. */
    static boolean remove(Path dir) {
        Path normal = dir.toAbsolutePath().normalize();
        if (!normal.startsWith(BPFFS_ROOT) || normal.equals(BPFFS_ROOT)) {
            throw new IllegalArgumentException("refusing to remove " + dir + ": not a directory below " + BPFFS_ROOT);
        }
        if (!Files.exists(normal)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(normal)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pins under " + dir, e);
        }
    }
}

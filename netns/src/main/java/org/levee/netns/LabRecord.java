package org.levee.netns;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab's record: the namespaces and bpffs paths it made, one per line, in a file under
 * {@link #DIRECTORY} that the lab's JVM keeps locked while it lives. A JVM killed outright
 * (SIGKILL, a CI job's timeout) runs no shutdown hook and leaves its lab behind, but the kernel
 * drops its lock: {@link #sweep} finds the record unlocked and removes what it lists. /run is a
 * tmpfs, so records go at reboot, as the namespaces they list do.
 */
final class LabRecord implements AutoCloseable {
    /** Where records live. */
    static final Path DIRECTORY = Path.of("/run/levee/labs");

    private static final String SUFFIX = ".lab";
    private static final String NAMESPACE = "netns ";
    private static final String PATH = "path ";
    private static final String PROCESS = "process ";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private LabRecord(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** A new, locked, empty record for lab {@code id} in {@code directory}. */
    static LabRecord create(Path directory, String id) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(id + SUFFIX);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new LabRecord(file, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Records namespace {@code name}, before it is made: a crash in between leaves a name to skip, not a namespace to lose. */
    void namespace(String name) throws IOException {
        append(NAMESPACE + name);
    }

    /** Records a bpffs path (a directory of pins) to remove with the lab. */
    void path(Path bpffsPath) throws IOException {
        append(PATH + bpffsPath.toAbsolutePath().normalize());
    }

    /**
     * Records a process the lab started (pid and its start time in clock ticks since boot, so a
     * sweep never kills a later process that got the same pid).
     */
    void process(long pid, long startTicks) throws IOException {
        append(PROCESS + pid + " " + startTicks);
    }

    private void append(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
    }

    /** Deletes the record (its lab is gone) and lets go of the lock. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            abandon();
        }
    }

    /** Lets go of the lock but keeps the record: part of the lab could not be removed, a later sweep tries again. */
    void abandon() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /**
     * Removes the labs of records in {@code directory} that no living JVM holds and that were
     * last written at least {@code settled} ago (a record is made a moment before it is locked).
     *
     * @return the ids of the labs removed
     */
    static List<String> sweep(Path directory, Duration settled) {
        List<String> swept = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return swept;
        }
        Instant before = Instant.now().minus(settled);
        try (DirectoryStream<Path> records = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : records) {
                if (Files.getLastModifiedTime(file).toInstant().isAfter(before)) {
                    continue;
                }
                if (removeIfAbandoned(file)) {
                    String name = file.getFileName().toString();
                    swept.add(name.substring(0, name.length() - SUFFIX.length()));
                }
            }
        } catch (IOException e) {
            // a record that vanished or cannot be read is another sweeper's, or not ours to judge
        }
        return swept;
    }

    private static boolean removeIfAbandoned(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // a lab of this JVM
            }
            if (lock == null) {
                return false; // its JVM lives
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (line.startsWith(PROCESS)) {
                    String[] f = line.substring(PROCESS.length()).split(" ");
                    LabProcess.killIfSame(Long.parseLong(f[0]), Long.parseLong(f[1]));
                } else if (line.startsWith(NAMESPACE)) {
                    String ns = line.substring(NAMESPACE.length());
                    if (NetnsLab.exists(ns)) {
                        NetnsLab.execute(List.of("ip", "netns", "del", ns));
                    }
                } else if (line.startsWith(PATH)) {
                    try {
                        PinTrees.remove(Path.of(line.substring(PATH.length())));
                    } catch (RuntimeException e) {
                        // not below the bpffs root, or not removable: leave it
                    }
                }
            }
            Files.delete(file);
            return true;
        } catch (NoSuchFileException e) {
            return false; // another sweeper was first
        }
    }
}

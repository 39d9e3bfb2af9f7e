package org.levee.lab.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process holds, counted from outside: its heap after a full collection (from its own
 * Prometheus metrics), its open file descriptors, how many of them are BPF maps, programs and
 * links, and the pinned files under its pin directory. Two footprints taken at the same point of
 * a repeating workload must be equal, the heap within a margin: anything else is a leak.
 *
 * @param heapBytes used heap right after {@code jcmd PID GC.run}
 */
public record Footprint(long heapBytes, int fds, int bpfMaps, int bpfPrograms, int bpfLinks, int pins) {

    /** The descriptors and pins of process {@code pid} and the pins under {@code pinDirectory}, with {@code heapBytes}. */
    static Footprint of(long pid, Path pinDirectory, long heapBytes) throws IOException {
        int fds = 0;
        int maps = 0;
        int programs = 0;
        int links = 0;
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : entries.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                fds++;
                switch (target) {
                    case "anon_inode:bpf-map" -> maps++;
                    case "anon_inode:bpf-prog" -> programs++;
                    case "anon_inode:bpf_link" -> links++;
                    default -> {}
                }
            }
        }
        int pins = 0;
        if (Files.isDirectory(pinDirectory)) {
            try (Stream<Path> all = Files.walk(pinDirectory)) {
                pins = (int) all.filter(Files::isRegularFile).count();
            }
        }
        return new Footprint(heapBytes, fds, maps, programs, links, pins);
    }

    /** One line: {@code heap 41.2 MiB, 57 fds (12 maps, 3 programs, 1 link), 14 pins}. */
    String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "heap %.1f MiB, %d fds (%d maps, %d programs, %d links), %d pins",
                heapBytes / 1048576.0,
                fds,
                bpfMaps,
                bpfPrograms,
                bpfLinks,
                pins);
    }
}

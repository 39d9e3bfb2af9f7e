package org.levee.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a process has used so far, from /proc: CPU time (user + system of all its threads, from
 * {@code /proc/PID/stat}, in clock ticks of 10 ms) and the bytes it has written ({@code wchar}
 * of {@code /proc/PID/io}: every byte passed to write(2), send(2) and their kin — sockets, and
 * for etcd also its write-ahead log and its log).
 *
 * @param cpu user + system time
 * @param bytesWritten {@code wchar}
 */
record ProcessCounters(Duration cpu, long bytesWritten) {
    /** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
    private static final long TICK_MILLIS = 10;

    static ProcessCounters of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces: count from its closing parenthesis; utime
            // and stime are fields 14 and 15 of the line.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long wchar = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("wchar:")) {
                    wchar = Long.parseLong(line.substring("wchar:".length()).strip());
                }
            }
            if (wchar < 0) {
                throw new IllegalStateException("/proc/" + pid + "/io has no wchar line");
            }
            return new ProcessCounters(Duration.ofMillis(ticks * TICK_MILLIS), wchar);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the counters of process " + pid + " in /proc", e);
        }
    }

    /** What was used between {@code before} and this. */
    ProcessCounters minus(ProcessCounters before) {
        return new ProcessCounters(cpu.minus(before.cpu), bytesWritten - before.bytesWritten);
    }
}

package org.levee.ebpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The number of possible CPUs ({@code /sys/devices/system/cpu/possible}): per-CPU maps hold one
 * value for each of them, also for CPUs that are offline.
 */
public final class PossibleCpus {
    private PossibleCpus() {}

    private static volatile int count;

    public static int count() {
        int c = count;
        if (c == 0) {
            try {
                c = parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /sys/devices/system/cpu/possible", e);
            }
            count = c;
        }
        return c;
    }

    /** Parses a CPU list like {@code 0-3} or {@code 0,2-5}: the highest CPU number + 1. */
    static int parse(String list) {
        int highest = -1;
        String trimmed = list.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty CPU list");
        }
        for (String part : trimmed.split(",")) {
            String[] range = part.split("-");
            try {
                highest = Math.max(highest, Integer.parseInt(range[range.length - 1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + trimmed + "' at '" + part + "'", e);
            }
        }
        return highest + 1;
    }
}

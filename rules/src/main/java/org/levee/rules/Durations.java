package org.levee.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in config files, flags and API requests: a whole number and a
 * unit, {@code 500ms}, {@code 90s}, {@code 30m}, {@code 1h}, {@code 2d}, or several of them in a
 * row ({@code 1h30m}).
 */
public final class Durations {
    private Durations() {}

    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    /**
     * @throws IllegalArgumentException naming the text and the accepted form
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration (expected a number and a unit: 90s, 30m, 1h, 2d)");
        }
        Matcher m = PART.matcher(text.strip());
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.lookingAt()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            end = m.end();
            m.region(end, text.strip().length());
        }
        if (end == 0 || end != text.strip().length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected a number and a unit: "
                    + "500ms, 90s, 30m, 1h, 2d, or several like 1h30m)");
        }
        return total;
    }

    /** The shortest text {@link #parse} reads back as {@code d} (whole milliseconds). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i]) {
                b.append(ms / sizes[i]).append(units[i]);
                ms %= sizes[i];
            }
        }
        return b.toString();
    }
}

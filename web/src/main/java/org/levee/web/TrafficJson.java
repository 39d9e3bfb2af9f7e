package org.levee.web;

import java.util.List;

/**
 * The traffic history as JSON, compact because the page polls it every second:
 * <pre>
 * {"now": 1765000000000, "step_seconds": 1, "capacity": 600, "source": "…",
 *  "series": ["seen", "passed", "dropped", "ratelimited", "sampled"],
 *  "points": [[1764999999000, 1000, 700, 250, 50, 10], …]}
 * </pre>
 * Each point is its time (milliseconds since the epoch) and its rates in the order of
 * {@code series}, packets per second to one decimal.
 */
final class TrafficJson {
    private TrafficJson() {}

    static String write(long now, int capacity, String source, List<TrafficPoint> points) {
        StringBuilder b = new StringBuilder(64 + points.size() * 48);
        b.append("{\"now\":")
                .append(now)
                .append(",\"step_seconds\":1,\"capacity\":")
                .append(capacity)
                .append(",\"source\":")
                .append(quote(source));
        b.append(",\"series\":[\"seen\",\"passed\",\"dropped\",\"ratelimited\",\"sampled\"],\"points\":[");
        for (int i = 0; i < points.size(); i++) {
            TrafficPoint p = points.get(i);
            TrafficRates r = p.rates();
            b.append(i == 0 ? "[" : ",[").append(p.epochMillis());
            for (double v : new double[] {r.seen(), r.passed(), r.dropped(), r.ratelimited(), r.sampled()}) {
                b.append(',');
                number(b, v);
            }
            b.append(']');
        }
        return b.append("]}").toString();
    }

    /** A rate to one decimal, without a fraction when it has none. */
    private static void number(StringBuilder b, double v) {
        long tenths = Math.round(v * 10);
        b.append(tenths / 10);
        if (tenths % 10 != 0) {
            b.append('.').append(tenths % 10);
        }
    }

    /** {@code s} as a JSON string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

package org.levee.rules;

/** What happens to a packet whose first matching rule is this one. */
public sealed interface Action {

    /** The word used in rule files. */
    String keyword();

    /** Drop the packet ({@code XDP_DROP}). */
    record Drop() implements Action {
        @Override
        public String keyword() {
            return "drop";
        }
    }

    /** Let the packet through ({@code XDP_PASS}) and stop looking at later rules. */
    record Pass() implements Action {
        @Override
        public String keyword() {
            return "pass";
        }
    }

    /**
     * Let at most {@code pps} packets per second through, all CPUs together, with bursts of up to
     * {@code burst} packets; drop the rest.
     */
    record RateLimit(long pps, long burst) implements Action {
        /** Highest accepted rate: one packet per nanosecond is the resolution of the kernel clock. */
        public static final long MAX_PPS = 1_000_000_000L;
        /** Highest accepted burst, so that burst × interval stays far inside 64 bits. */
        public static final long MAX_BURST = 1_000_000_000L;

        public RateLimit {
            if (pps < 1 || pps > MAX_PPS) {
                throw new IllegalArgumentException("pps " + pps + " is outside 1.." + MAX_PPS);
            }
            if (burst < 1 || burst > MAX_BURST) {
                throw new IllegalArgumentException("burst " + burst + " is outside 1.." + MAX_BURST);
            }
        }

        /** Nanoseconds between two conforming packets (GCRA's emission interval). */
        public long intervalNanos() {
            return Math.max(1, 1_000_000_000L / pps);
        }

        @Override
        public String keyword() {
            return "ratelimit";
        }
    }
}

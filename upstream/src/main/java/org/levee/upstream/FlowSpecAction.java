package org.levee.upstream;

/**
 * What upstream routers do with packets a FlowSpec route matches: the traffic-rate-bytes extended
 * community (RFC 8955 §7.1), rate 0 meaning discard.
 */
public sealed interface FlowSpecAction {

    /** Drop every matching packet (traffic-rate 0). */
    record Discard() implements FlowSpecAction {
        @Override
        public String toString() {
            return "discard";
        }
    }

    /**
     * Let at most {@code bytesPerSecond} bytes per second through. The community carries an IEEE
     * 754 single-precision float, so the value is kept as the float it will be on the wire.
     */
    record TrafficRate(float bytesPerSecond) implements FlowSpecAction {
        public TrafficRate {
            if (!(bytesPerSecond > 0) || Float.isInfinite(bytesPerSecond)) {
                throw new IllegalArgumentException(
                        "traffic rate " + bytesPerSecond + " bytes/s must be positive and finite (0 is discard)");
            }
        }

        @Override
        public String toString() {
            return "rate-limit " + bytesPerSecond + " bytes/s";
        }
    }

    /** True when this action lets fewer packets through than {@code other} (discard before any rate, lower rates first). */
    default boolean stricterThan(FlowSpecAction other) {
        return rank(this) < rank(other);
    }

    private static double rank(FlowSpecAction a) {
        return a instanceof TrafficRate r ? r.bytesPerSecond() : 0;
    }
}

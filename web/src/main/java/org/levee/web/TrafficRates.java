package org.levee.web;

/**
 * Packets per second, over the last second (a node) or the edges' last reports (a controller).
 *
 * @param seen        packets seen
 * @param passed      packets let through
 * @param dropped     packets dropped by drop rules
 * @param ratelimited packets dropped by rate-limit rules
 * @param sampled     samples taken
 */
public record TrafficRates(double seen, double passed, double dropped, double ratelimited, double sampled) {

    public static final TrafficRates ZERO = new TrafficRates(0, 0, 0, 0, 0);

    public TrafficRates {
        check("seen", seen);
        check("passed", passed);
        check("dropped", dropped);
        check("ratelimited", ratelimited);
        check("sampled", sampled);
    }

    private static void check(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": a rate must be finite and at least 0, not " + value);
        }
    }

    /** The sum of both, series by series. */
    public TrafficRates plus(TrafficRates other) {
        return new TrafficRates(
                seen + other.seen,
                passed + other.passed,
                dropped + other.dropped,
                ratelimited + other.ratelimited,
                sampled + other.sampled);
    }
}

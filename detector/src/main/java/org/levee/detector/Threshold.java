package org.levee.detector;

/**
 * A rate above which traffic is an attack: either limit, when crossed, is enough.
 *
 * @param packetsPerSecond packets per second, {@link Long#MAX_VALUE} for no packet limit
 * @param bitsPerSecond bits per second, {@link Long#MAX_VALUE} for no bit limit
 */
public record Threshold(long packetsPerSecond, long bitsPerSecond) {

    /** No limit at all: never triggers. */
    public static final Threshold NONE = new Threshold(Long.MAX_VALUE, Long.MAX_VALUE);

    public Threshold {
        if (packetsPerSecond <= 0) {
            throw new IllegalArgumentException("threshold packetsPerSecond must be positive, not " + packetsPerSecond);
        }
        if (bitsPerSecond <= 0) {
            throw new IllegalArgumentException("threshold bitsPerSecond must be positive, not " + bitsPerSecond);
        }
    }

    public static Threshold packets(long packetsPerSecond) {
        return new Threshold(packetsPerSecond, Long.MAX_VALUE);
    }

    public static Threshold of(long packetsPerSecond, long bitsPerSecond) {
        return new Threshold(packetsPerSecond, bitsPerSecond);
    }

    @Override
    public String toString() {
        String p = packetsPerSecond == Long.MAX_VALUE ? "-" : packetsPerSecond + " pps";
        String b = bitsPerSecond == Long.MAX_VALUE ? "-" : bitsPerSecond + " bps";
        return p + " / " + b;
    }
}

package org.levee.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The traffic the detector saw recently and did not attribute to any attack, as samples that
 * each stand for a number of packets: what the {@link RuleGuard} checks a rule's collateral
 * damage against. The detector keeps a bounded, uniform subset of each second's legitimate
 * samples, so a sample's weight is its sampling rate times the share of its second's samples it
 * stands for.
 *
 * @param samples the samples, each with the packets it stands for
 * @param span    how far back they go (the last minute by default)
 */
public record LegitimateTraffic(List<Weighted> samples, Duration span) {

    /** Nothing seen (yet): the share check has nothing to go on and passes every rule. */
    public static final LegitimateTraffic NONE = new LegitimateTraffic(List.of(), Duration.ZERO);

    /**
     * One sample and the packets it stands for.
     *
     * @param sample  the sample
     * @param packets how many packets of the traffic it represents (at least its sampling rate)
     */
    public record Weighted(Sample sample, double packets) {
        public Weighted {
            Objects.requireNonNull(sample, "sample");
            if (!(packets > 0) || Double.isInfinite(packets)) {
                throw new IllegalArgumentException(
                        "a sample's weight must be a positive number of packets, not " + packets);
            }
        }
    }

    public LegitimateTraffic {
        samples = List.copyOf(samples);
        Objects.requireNonNull(span, "span");
    }

    /** The packets all samples stand for. */
    public double packets() {
        double sum = 0;
        for (Weighted w : samples) {
            sum += w.packets();
        }
        return sum;
    }
}

package org.levee.detector;

import java.util.Objects;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Prefix;

/**
 * A per-prefix threshold, as FastNetMon operators configure them: for destinations inside
 * {@code prefix}, class {@code trafficClass} uses {@code threshold} instead of the default. The
 * longest matching prefix wins.
 *
 * @param prefix where it applies
 * @param aggregate true for the per-/24 and per-/64 aggregates inside {@code prefix}, false for
 *     single hosts
 * @param trafficClass the class it is for
 * @param threshold the limit
 */
public record ThresholdOverride(Prefix prefix, boolean aggregate, TrafficClass trafficClass, Threshold threshold) {

    public ThresholdOverride {
        Objects.requireNonNull(prefix, "threshold override field 'prefix' is null");
        Objects.requireNonNull(trafficClass, "threshold override field 'trafficClass' is null");
        Objects.requireNonNull(threshold, "threshold override field 'threshold' is null");
    }
}

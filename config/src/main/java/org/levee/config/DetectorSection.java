package org.levee.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.levee.detector.DetectorConfig;
import org.levee.detector.Threshold;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Durations;

/**
 * The {@code detector:} section of the agent's and the controller's configuration: thresholds per
 * traffic class for hosts and aggregates, the baseline, the end of an attack, fingerprinting, the
 * bound on tracked destinations.
 * docs/configuration.md lists every key with its default.
 */
public final class DetectorSection {
    private DetectorSection() {}

    /** The keys of the section. */
    public static final Set<String> KEYS = Set.of(
            "host_thresholds",
            "aggregate_thresholds",
            "baseline_multiple",
            "baseline_floor_pps",
            "baseline_warmup",
            "cooldown",
            "end_fraction",
            "min_fingerprint_samples",
            "max_fingerprint_delay",
            "min_fingerprint_span",
            "coverage_target",
            "max_baseline_match",
            "max_tracked_destinations",
            "idle_forget_after");

    private static final Set<String> THRESHOLD = Set.of("pps", "bps");

    /**
     * The detector's settings from {@code node} (the section, or null when absent) over {@code d};
     * problems go to {@code r} under {@code path} ({@code detector}).
     */
    public static DetectorConfig read(ConfigReader r, JsonNode node, String path, DetectorConfig d) {
        if (node == null || !r.mapping(node, path, KEYS)) {
            return d;
        }
        Map<TrafficClass, Threshold> host =
                thresholds(r, node.get("host_thresholds"), path + ".host_thresholds", d.hostThresholds());
        Map<TrafficClass, Threshold> aggregate = thresholds(
                r, node.get("aggregate_thresholds"), path + ".aggregate_thresholds", d.aggregateThresholds());
        double multiple =
                r.decimal(node, path + ".baseline_multiple", "baseline_multiple", d.baselineMultiple(), 1.0001, 1e6);
        Long floor = r.number(node, path + ".baseline_floor_pps", "baseline_floor_pps", 1, Long.MAX_VALUE);
        Duration warmup = r.duration(
                node, path + ".baseline_warmup", "baseline_warmup", Duration.ofSeconds(d.baselineWarmupSeconds()));
        Duration cooldown = r.duration(node, path + ".cooldown", "cooldown", d.cooldown());
        double end = r.decimal(node, path + ".end_fraction", "end_fraction", d.endFraction(), 0.0001, 1);
        Long minSamples = r.number(node, path + ".min_fingerprint_samples", "min_fingerprint_samples", 1, 1_000_000);
        Duration delay =
                r.duration(node, path + ".max_fingerprint_delay", "max_fingerprint_delay", d.maxFingerprintDelay());
        Duration span =
                r.duration(node, path + ".min_fingerprint_span", "min_fingerprint_span", d.minFingerprintSpan());
        if (span.compareTo(delay) > 0) {
            r.problem(
                    path + ".min_fingerprint_span",
                    "must not be longer than max_fingerprint_delay (" + Durations.format(delay) + ")");
            span = delay;
        }
        double coverage = r.decimal(node, path + ".coverage_target", "coverage_target", d.coverageTarget(), 0.0001, 1);
        double baselineMatch =
                r.decimal(node, path + ".max_baseline_match", "max_baseline_match", d.maxBaselineMatch(), 0, 0.9999);
        Long maxTracked = r.number(
                node,
                path + ".max_tracked_destinations",
                "max_tracked_destinations",
                DetectorConfig.MIN_TRACKED_DESTINATIONS,
                Integer.MAX_VALUE);
        Duration idle = r.duration(node, path + ".idle_forget_after", "idle_forget_after", d.idleForgetAfter());
        if (idle.compareTo(DetectorConfig.MIN_IDLE_FORGET_AFTER) < 0) {
            r.problem(
                    path + ".idle_forget_after",
                    "must be at least " + Durations.format(DetectorConfig.MIN_IDLE_FORGET_AFTER) + ", not "
                            + Durations.format(idle));
            idle = d.idleForgetAfter();
        }
        if (warmup.toSeconds() < 1) {
            r.problem(path + ".baseline_warmup", "must be at least 1s");
            warmup = Duration.ofSeconds(1);
        }
        try {
            return new DetectorConfig(
                    host,
                    aggregate,
                    d.overrides(),
                    d.aggregateLengthV4(),
                    d.aggregateLengthV6(),
                    d.windowSeconds(),
                    multiple,
                    floor == null ? d.baselineFloorPacketsPerSecond() : floor,
                    d.baselineHalfLifeSeconds(),
                    (int) Math.min(Integer.MAX_VALUE, warmup.toSeconds()),
                    end,
                    cooldown,
                    coverage,
                    baselineMatch,
                    minSamples == null ? d.minFingerprintSamples() : minSamples.intValue(),
                    delay,
                    span,
                    d.sketchCapacity(),
                    d.reservoirSize(),
                    d.historySamples(),
                    d.historySamplesPerSecond(),
                    d.datacenterMinShare(),
                    d.seed(),
                    maxTracked == null ? d.maxTrackedDestinations() : maxTracked.intValue(),
                    idle);
        } catch (IllegalArgumentException e) {
            r.problem(path, e.getMessage());
            return d;
        }
    }

    private static Map<TrafficClass, Threshold> thresholds(
            ConfigReader r, JsonNode node, String path, Map<TrafficClass, Threshold> d) {
        Map<TrafficClass, Threshold> out = new EnumMap<>(d);
        if (node == null) {
            return out;
        }
        Set<String> classes = new TreeSet<>();
        for (TrafficClass c : TrafficClass.values()) {
            classes.add(c.name().toLowerCase(Locale.ROOT));
        }
        if (!r.mapping(node, path, classes)) {
            return out;
        }
        for (TrafficClass c : TrafficClass.values()) {
            String key = c.name().toLowerCase(Locale.ROOT);
            JsonNode t = node.get(key);
            if (t == null || !r.mapping(t, path + "." + key, THRESHOLD)) {
                continue;
            }
            Threshold old = d.get(c);
            long pps = limit(r, t, path + "." + key + ".pps", "pps", old.packetsPerSecond());
            long bps = limit(r, t, path + "." + key + ".bps", "bps", old.bitsPerSecond());
            out.put(c, new Threshold(pps, bps));
        }
        return out;
    }

    /** A positive whole number, or "none" for no limit. */
    private static long limit(ConfigReader r, JsonNode node, String path, String key, long d) {
        JsonNode v = node.get(key);
        if (v == null) {
            return d;
        }
        if (v.isTextual() && v.asText().equals("none")) {
            return Long.MAX_VALUE;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            r.problem(path, "must be a positive whole number or 'none', not '" + v.asText() + "'");
            return d;
        }
        return v.asLong();
    }
}

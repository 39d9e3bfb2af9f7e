package org.levee.detector;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Prefix;

/**
 * Everything the detector can be tuned with. {@link #defaults()} documents the default values;
 * docs/detection.md explains them.
 *
 * @param hostThresholds per class, for single destination addresses
 * @param aggregateThresholds per class, for each /24 (IPv4) and /64 (IPv6) aggregate; an
 *     aggregate counts only traffic not already attributed to an attack on one of its hosts, so
 *     it catches floods spread over many addresses (carpet bombing)
 * @param overrides per-prefix thresholds; the longest matching prefix wins
 * @param aggregateLengthV4 IPv4 aggregate prefix length (24)
 * @param aggregateLengthV6 IPv6 aggregate prefix length (64)
 * @param windowSeconds rates are averaged over this many one-second buckets (1)
 * @param baselineMultiple a class is anomalous at this multiple of its baseline (8)
 * @param baselineFloorPacketsPerSecond ... and never below this rate (10,000 pps)
 * @param baselineHalfLifeSeconds the baseline's memory: a second's weight halves in this time (300)
 * @param baselineWarmupSeconds quiet seconds learned before the baseline may trigger (30)
 * @param endFraction an attack (or its rule) is over when below this fraction of the level that
 *     started it: the hysteresis (0.5)
 * @param cooldown ... continuously for this long (60 s)
 * @param coverageTarget a fingerprint must cover this share of the attack's samples (0.95)
 * @param maxBaselineMatch ... and match at most this share of pre-attack samples (0.01)
 * @param minFingerprintSamples attack samples collected before fingerprinting (64) ...
 * @param maxFingerprintDelay ... or at most this long after detection (500 ms)
 * @param minFingerprintSpan ... but never sooner than this after detection (0; a controller waits
 *     for every edge's next batch of samples, see {@link #withMinFingerprintSpan})
 * @param sketchCapacity Space-Saving counters per fingerprint field (16)
 * @param reservoirSize attack samples kept to score field combinations (512)
 * @param historySamples pre-attack samples kept per destination (64) ...
 * @param historySamplesPerSecond ... taking the first this many of each second (2), so that the
 *     history spans many seconds and most samples never touch it
 * @param datacenterMinShare a data center "sees" an attack with this share of the samples the
 *     fingerprint matches (of all the class's samples when there is no fingerprint) (0.05)
 * @param seed seeds the reservoirs, so the same samples always give the same rules
 * @param maxTrackedDestinations hosts and aggregates tracked at most, together (see
 *     {@link #DEFAULT_MAX_TRACKED_DESTINATIONS}); one under attack is never forgotten, a new one
 *     takes the place of the least recently seen only when that one is idle, or silent for two
 *     seconds while the new one is busy; otherwise the new one is counted in its aggregate only
 * @param idleForgetAfter a destination without samples for this long is forgotten, its baseline
 *     folded into its aggregate (5 min)
 */
public record DetectorConfig(
        Map<TrafficClass, Threshold> hostThresholds,
        Map<TrafficClass, Threshold> aggregateThresholds,
        List<ThresholdOverride> overrides,
        int aggregateLengthV4,
        int aggregateLengthV6,
        int windowSeconds,
        double baselineMultiple,
        long baselineFloorPacketsPerSecond,
        double baselineHalfLifeSeconds,
        int baselineWarmupSeconds,
        double endFraction,
        Duration cooldown,
        double coverageTarget,
        double maxBaselineMatch,
        int minFingerprintSamples,
        Duration maxFingerprintDelay,
        Duration minFingerprintSpan,
        int sketchCapacity,
        int reservoirSize,
        int historySamples,
        int historySamplesPerSecond,
        double datacenterMinShare,
        long seed,
        int maxTrackedDestinations,
        Duration idleForgetAfter) {

    /**
     * Hosts and aggregates tracked at most by default. docs/security.md ("Bounded memory") gives
     * the heap this takes: at most 2 KiB per destination plus 320 bytes per sample its history
     * keeps (68 by default), so about 455 MiB when every destination has regular traffic that
     * filled its history, and about 30 MiB when a spoofed flood fills the table with addresses
     * seen once or twice.
     */
    public static final int DEFAULT_MAX_TRACKED_DESTINATIONS = 20_000;
    /** Silence after which a destination is forgotten, by default. */
    public static final Duration DEFAULT_IDLE_FORGET_AFTER = Duration.ofMinutes(5);
    /** The shortest idle time: idle means silent for whole seconds, longer than the two that make a destination busy. */
    public static final Duration MIN_IDLE_FORGET_AFTER = Duration.ofSeconds(10);
    /** The fewest destinations a detector may be limited to: a host and its aggregate, many times. */
    public static final int MIN_TRACKED_DESTINATIONS = 16;

    public DetectorConfig {
        hostThresholds = complete(hostThresholds, "hostThresholds");
        aggregateThresholds = complete(aggregateThresholds, "aggregateThresholds");
        overrides = List.copyOf(Objects.requireNonNull(overrides, "config field 'overrides' is null"));
        Objects.requireNonNull(cooldown, "config field 'cooldown' is null");
        Objects.requireNonNull(maxFingerprintDelay, "config field 'maxFingerprintDelay' is null");
        Objects.requireNonNull(minFingerprintSpan, "config field 'minFingerprintSpan' is null");
        check(
                !minFingerprintSpan.isNegative() && minFingerprintSpan.compareTo(maxFingerprintDelay) <= 0,
                "minFingerprintSpan",
                minFingerprintSpan);
        check(aggregateLengthV4 >= 0 && aggregateLengthV4 <= 32, "aggregateLengthV4", aggregateLengthV4);
        check(aggregateLengthV6 >= 0 && aggregateLengthV6 <= 128, "aggregateLengthV6", aggregateLengthV6);
        check(windowSeconds >= 1, "windowSeconds", windowSeconds);
        check(baselineMultiple > 1, "baselineMultiple", baselineMultiple);
        check(baselineFloorPacketsPerSecond > 0, "baselineFloorPacketsPerSecond", baselineFloorPacketsPerSecond);
        check(baselineHalfLifeSeconds > 0, "baselineHalfLifeSeconds", baselineHalfLifeSeconds);
        check(baselineWarmupSeconds >= 1, "baselineWarmupSeconds", baselineWarmupSeconds);
        check(endFraction > 0 && endFraction <= 1, "endFraction", endFraction);
        check(!cooldown.isNegative(), "cooldown", cooldown);
        check(coverageTarget > 0 && coverageTarget <= 1, "coverageTarget", coverageTarget);
        check(maxBaselineMatch >= 0 && maxBaselineMatch < 1, "maxBaselineMatch", maxBaselineMatch);
        check(minFingerprintSamples >= 1, "minFingerprintSamples", minFingerprintSamples);
        check(!maxFingerprintDelay.isNegative(), "maxFingerprintDelay", maxFingerprintDelay);
        check(sketchCapacity >= 2, "sketchCapacity", sketchCapacity);
        check(reservoirSize >= 16, "reservoirSize", reservoirSize);
        check(historySamples >= 1, "historySamples", historySamples);
        check(historySamplesPerSecond >= 1, "historySamplesPerSecond", historySamplesPerSecond);
        check(datacenterMinShare >= 0 && datacenterMinShare < 1, "datacenterMinShare", datacenterMinShare);
        check(maxTrackedDestinations >= MIN_TRACKED_DESTINATIONS, "maxTrackedDestinations", maxTrackedDestinations);
        Objects.requireNonNull(idleForgetAfter, "config field 'idleForgetAfter' is null");
        check(idleForgetAfter.compareTo(MIN_IDLE_FORGET_AFTER) >= 0, "idleForgetAfter", idleForgetAfter);
    }

    /** The configuration with the default memory bounds. */
    public DetectorConfig(
            Map<TrafficClass, Threshold> hostThresholds,
            Map<TrafficClass, Threshold> aggregateThresholds,
            List<ThresholdOverride> overrides,
            int aggregateLengthV4,
            int aggregateLengthV6,
            int windowSeconds,
            double baselineMultiple,
            long baselineFloorPacketsPerSecond,
            double baselineHalfLifeSeconds,
            int baselineWarmupSeconds,
            double endFraction,
            Duration cooldown,
            double coverageTarget,
            double maxBaselineMatch,
            int minFingerprintSamples,
            Duration maxFingerprintDelay,
            Duration minFingerprintSpan,
            int sketchCapacity,
            int reservoirSize,
            int historySamples,
            int historySamplesPerSecond,
            double datacenterMinShare,
            long seed) {
        this(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                minFingerprintSpan,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                DEFAULT_MAX_TRACKED_DESTINATIONS,
                DEFAULT_IDLE_FORGET_AFTER);
    }

    /** The configuration without a minimum fingerprint span (a single node's samples arrive one by one). */
    public DetectorConfig(
            Map<TrafficClass, Threshold> hostThresholds,
            Map<TrafficClass, Threshold> aggregateThresholds,
            List<ThresholdOverride> overrides,
            int aggregateLengthV4,
            int aggregateLengthV6,
            int windowSeconds,
            double baselineMultiple,
            long baselineFloorPacketsPerSecond,
            double baselineHalfLifeSeconds,
            int baselineWarmupSeconds,
            double endFraction,
            Duration cooldown,
            double coverageTarget,
            double maxBaselineMatch,
            int minFingerprintSamples,
            Duration maxFingerprintDelay,
            int sketchCapacity,
            int reservoirSize,
            int historySamples,
            int historySamplesPerSecond,
            double datacenterMinShare,
            long seed) {
        this(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                Duration.ZERO,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed);
    }

    /**
     * These settings fingerprinting an attack no sooner than {@code value} after it was detected,
     * however many samples it has: a controller hears a fleet's samples in batches (each edge's
     * exporter sends every few tens of milliseconds), and the samples of the first batch come from
     * one edge only; waiting for every edge's next batch tells which data centers see the attack.
     */
    public DetectorConfig withMinFingerprintSpan(Duration value) {
        return new DetectorConfig(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                value,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                maxTrackedDestinations,
                idleForgetAfter);
    }

    /**
     * These settings with at most {@code value} hosts and aggregates tracked together (at least
     * {@link #MIN_TRACKED_DESTINATIONS}).
     */
    public DetectorConfig withMaxTrackedDestinations(int value) {
        return new DetectorConfig(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                minFingerprintSpan,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                value,
                idleForgetAfter);
    }

    /** These settings forgetting a destination after {@code value} without samples (at least 10 s). */
    public DetectorConfig withIdleForgetAfter(Duration value) {
        return new DetectorConfig(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                minFingerprintSpan,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                maxTrackedDestinations,
                value);
    }

    private static void check(boolean ok, String field, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("config field '" + field + "' is out of range: " + value);
        }
    }

    private static Map<TrafficClass, Threshold> complete(Map<TrafficClass, Threshold> given, String field) {
        Objects.requireNonNull(given, () -> "config field '" + field + "' is null");
        EnumMap<TrafficClass, Threshold> all = new EnumMap<>(TrafficClass.class);
        for (TrafficClass c : TrafficClass.values()) {
            Threshold t = given.get(c);
            if (t == null) {
                throw new IllegalArgumentException("config field '" + field + "' has no threshold for class " + c);
            }
            all.put(c, t);
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    private static final long MBIT = 1_000_000L;

    /**
     * The defaults. Host thresholds (pps / bps): ALL -/5 Gbit, TCP_SYN 20k, TCP_OTHER 100k, UDP
     * 50k/1 Gbit, ICMP 10k, FRAGMENT 10k, OTHER 20k. Aggregates: ALL -/20 Gbit, TCP_SYN 80k,
     * TCP_OTHER 400k, UDP 100k/4 Gbit, ICMP 40k, FRAGMENT 40k, OTHER 80k.
     */
    public static DetectorConfig defaults() {
        Map<TrafficClass, Threshold> host = new EnumMap<>(TrafficClass.class);
        host.put(TrafficClass.ALL, Threshold.of(Long.MAX_VALUE, 5_000 * MBIT));
        host.put(TrafficClass.TCP_SYN, Threshold.packets(20_000));
        host.put(TrafficClass.TCP_OTHER, Threshold.packets(100_000));
        host.put(TrafficClass.UDP, Threshold.of(50_000, 1_000 * MBIT));
        host.put(TrafficClass.ICMP, Threshold.packets(10_000));
        host.put(TrafficClass.FRAGMENT, Threshold.packets(10_000));
        host.put(TrafficClass.OTHER, Threshold.packets(20_000));
        Map<TrafficClass, Threshold> aggregate = new EnumMap<>(TrafficClass.class);
        aggregate.put(TrafficClass.ALL, Threshold.of(Long.MAX_VALUE, 20_000 * MBIT));
        aggregate.put(TrafficClass.TCP_SYN, Threshold.packets(80_000));
        aggregate.put(TrafficClass.TCP_OTHER, Threshold.packets(400_000));
        aggregate.put(TrafficClass.UDP, Threshold.of(100_000, 4_000 * MBIT));
        aggregate.put(TrafficClass.ICMP, Threshold.packets(40_000));
        aggregate.put(TrafficClass.FRAGMENT, Threshold.packets(40_000));
        aggregate.put(TrafficClass.OTHER, Threshold.packets(80_000));
        return new DetectorConfig(
                host,
                aggregate,
                List.of(),
                24,
                64,
                1,
                8.0,
                10_000,
                300,
                30,
                0.5,
                Duration.ofSeconds(60),
                0.95,
                0.01,
                64,
                Duration.ofMillis(500),
                16,
                512,
                64,
                2,
                0.05,
                0x5eed_1e7eeL);
    }

    /** The threshold for class {@code c} of a host or aggregate destination. */
    public Threshold thresholdFor(Prefix destination, boolean aggregate, TrafficClass c) {
        ThresholdOverride best = null;
        for (ThresholdOverride o : overrides) {
            if (o.aggregate() == aggregate
                    && o.trafficClass() == c
                    && o.prefix().contains(destination)
                    && (best == null || o.prefix().length() > best.prefix().length())) {
                best = o;
            }
        }
        if (best != null) {
            return best.threshold();
        }
        return (aggregate ? aggregateThresholds : hostThresholds).get(c);
    }

    public DetectorConfig withCooldown(Duration value) {
        return new DetectorConfig(
                hostThresholds,
                aggregateThresholds,
                overrides,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                value,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                minFingerprintSpan,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                maxTrackedDestinations,
                idleForgetAfter);
    }

    public DetectorConfig withOverrides(List<ThresholdOverride> value) {
        return new DetectorConfig(
                hostThresholds,
                aggregateThresholds,
                value,
                aggregateLengthV4,
                aggregateLengthV6,
                windowSeconds,
                baselineMultiple,
                baselineFloorPacketsPerSecond,
                baselineHalfLifeSeconds,
                baselineWarmupSeconds,
                endFraction,
                cooldown,
                coverageTarget,
                maxBaselineMatch,
                minFingerprintSamples,
                maxFingerprintDelay,
                minFingerprintSpan,
                sketchCapacity,
                reservoirSize,
                historySamples,
                historySamplesPerSecond,
                datacenterMinShare,
                seed,
                maxTrackedDestinations,
                idleForgetAfter);
    }
}

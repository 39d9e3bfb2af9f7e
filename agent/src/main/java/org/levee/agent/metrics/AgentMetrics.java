package org.levee.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.levee.agent.detect.AttackTracker;
import org.levee.agent.detect.DetectionLoop;
import org.levee.agent.rules.RuleBook;
import org.levee.dataplane.Counters;
import org.levee.dataplane.DataPlane;
import org.levee.detector.Decision;
import org.levee.notify.Notifier;
import org.levee.rules.Origin;
import org.levee.upstream.UpstreamKeeper;

/**
 * The node's Prometheus metrics: data-plane totals and per-rule packets and bytes (read from
 * the program's maps at scrape time), sample rate and the JVM's own metrics; on a single node also
 * attacks active, detector decisions, samples read and not decodable and failed detection rounds.
 * An edge of the fleet adds its own to {@link #registry()}. One registry per agent, so tests can
 * run several agents in one JVM.
 */
public final class AgentMetrics {

    /** A rule as the per-rule metrics label it. */
    public record RuleLabel(String id, String origin) {}

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Counter decisions;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** A single node's metrics: the data plane's, its rules', and the detector's. */
    public AgentMetrics(
            DataPlane dataPlane, RuleBook rules, AttackTracker attacks, DetectionLoop detection, Notifier notifier) {
        this(dataPlane, rules, () -> labels(rules));
        registerDetection(attacks, detection);
        registerNotifications(notifier);
    }

    /**
     * {@code levee_notifications_total{sink, outcome}}: notifications delivered, failed (given up
     * after the retries) and dropped (pushed out of a full queue), per sink ({@code command},
     * {@code webhook[0]}, …). The controller registers the same, as levee_controller_notifications.
     */
    private void registerNotifications(Notifier notifier) {
        CounterWithCallback.builder()
                .name("levee_notifications")
                .help(
                        "Notifications by sink and outcome: delivered, failed (given up after retries), dropped (queue full).")
                .labelNames("sink", "outcome")
                .callback(cb -> {
                    for (Notifier.SinkStats s : notifier.stats()) {
                        cb.call(s.delivered(), s.sink(), "delivered");
                        cb.call(s.failed(), s.sink(), "failed");
                        cb.call(s.dropped(), s.sink(), "dropped");
                    }
                })
                .register(registry);
    }

    /**
     * The metrics of the data plane and of {@code rules}, without a detector; the per-rule counters
     * cover the rules {@code counted} lists (an edge adds the fleet's rules to its own).
     */
    public AgentMetrics(DataPlane dataPlane, RuleBook rules, Supplier<List<RuleLabel>> counted) {
        Supplier<Counters> counters = dataPlane::counters;
        total("levee_seen_packets", "Packets the XDP program saw.", counters, Counters::seen);
        total("levee_passed_packets", "Packets the XDP program let through.", counters, Counters::passed);
        total("levee_dropped_packets", "Packets dropped by drop rules.", counters, Counters::dropped);
        total("levee_ratelimited_packets", "Packets dropped by rate-limit rules.", counters, Counters::ratelimited);
        total("levee_sampled_packets", "Samples the program wrote to the ring buffer.", counters, Counters::sampled);
        total("levee_samples_lost", "Samples lost because the ring buffer was full.", counters, Counters::samplesLost);
        CounterWithCallback.builder()
                .name("levee_rule_packets")
                .help("Packets whose first matching rule was this one.")
                .labelNames("rule", "origin")
                .callback(cb -> {
                    Counters c = dataPlane.counters();
                    for (RuleLabel r : counted.get()) {
                        cb.call(c.rule(r.id()).packets(), r.id(), r.origin());
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_rule_bytes")
                .help("Bytes of the packets whose first matching rule was this one.")
                .labelNames("rule", "origin")
                .callback(cb -> {
                    Counters c = dataPlane.counters();
                    for (RuleLabel r : counted.get()) {
                        cb.call(c.rule(r.id()).bytes(), r.id(), r.origin());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_rules")
                .help("Rules in force, by origin (on an edge: its local rules).")
                .labelNames("origin")
                .callback(cb -> {
                    long auto = rules.list().stream()
                            .filter(r -> r.rule().origin() == Origin.AUTO)
                            .count();
                    cb.call(auto, "auto");
                    cb.call(rules.list().size() - auto, "manual");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_sample_rate")
                .help("N of 1-in-N packet sampling.")
                .callback(cb -> cb.call(dataPlane.sampleRate()))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** The node's own rules as the per-rule metrics label them. */
    public static List<RuleLabel> labels(RuleBook rules) {
        return rules.list().stream()
                .map(r -> new RuleLabel(r.id(), r.rule().origin().keyword()))
                .toList();
    }

    private void registerDetection(AttackTracker attacks, DetectionLoop detection) {
        CounterWithCallback.builder()
                .name("levee_samples_read")
                .help("Samples the agent read from the ring buffer and gave the detector.")
                .callback(cb -> cb.call(detection.samplesRead()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_samples_undecodable")
                .help("Samples the detector could not decode: not IP, or cut short in the IP header.")
                .callback(cb -> cb.call(detection.samplesUndecodable()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_detection_failures")
                .help("Rule changes of the detector that the data plane refused, and other failed rounds of detection.")
                .callback(cb -> cb.call(detection.failures()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_detector_tracked_destinations")
                .help("Hosts and aggregates the detector tracks (at most detector.max_tracked_destinations).")
                .callback(cb -> cb.call(detection.trackedDestinations()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_detector_samples_in_aggregate_only")
                .help("Samples counted in their /24 or /64 only: the detector's table of destinations was full.")
                .callback(cb -> cb.call(detection.samplesInAggregateOnly()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_detector_samples_uncounted")
                .help(
                        "Samples counted nowhere: neither their host nor their aggregate had room in the detector's table.")
                .callback(cb -> cb.call(detection.samplesUncounted()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_detector_destinations_forgotten")
                .help("Destinations the detector forgot: idle, or making room for a busier one.")
                .callback(cb -> cb.call(detection.destinationsForgotten()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_attacks_active")
                .help("Attacks under way, as the detector sees them.")
                .callback(cb -> cb.call(attacks.active().size()))
                .register(registry);
        decisions = Counter.builder()
                .name("levee_detector_decisions")
                .help("Detector decisions, by kind.")
                .labelNames("kind")
                .register(registry);
        for (Decision.Kind k : Decision.Kind.values()) {
            decisions.labelValues(kind(k)); // present at zero from the start
        }
    }

    private void total(String name, String help, Supplier<Counters> counters, ToLongFunction<Counters> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(value.applyAsLong(counters.get())))
                .register(registry);
    }

    /** Counts one detector decision (a node with a detector only). */
    public void decision(Decision d) {
        decisions.labelValues(kind(d.kind())).inc();
    }

    /**
     * Adds the metrics of the upstream keeper: {@code levee_upstream_speaker_up} (1 when the last
     * synchronisation succeeded), {@code levee_upstream_routes{family}} (announced at the last
     * success), {@code levee_upstream_refused_rules} (live rules whose request is refused now), and
     * the totals of synchronisations, failed ones, announcements and withdrawals.
     */
    public void upstream(UpstreamKeeper keeper) {
        GaugeWithCallback.builder()
                .name("levee_upstream_speaker_up")
                .help("1 when the last synchronisation with the BGP speaker succeeded, else 0.")
                .callback(cb -> cb.call(keeper.status().speakerUp() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_upstream_routes")
                .help("Routes announced upstream at the last successful synchronisation, by family.")
                .labelNames("family")
                .callback(cb -> {
                    Map<String, Integer> byFamily = keeper.status().routes();
                    for (String family : List.of("ipv4-flowspec", "ipv6-flowspec", "ipv4-unicast", "ipv6-unicast")) {
                        cb.call(byFamily.getOrDefault(family, 0), family);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_upstream_refused_rules")
                .help("Live rules whose upstream request is refused (FlowSpec cannot express the match, …).")
                .callback(cb -> cb.call(keeper.status().refused().size()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_upstream_synchronisations")
                .help("Synchronisations of the BGP speaker's routes with the rules.")
                .callback(cb -> cb.call(keeper.status().synchronisations()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_upstream_sync_failures")
                .help("Synchronisations that failed (the speaker could not be reached or refused).")
                .callback(cb -> cb.call(keeper.status().failures()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_upstream_announcements")
                .help("Routes announced upstream (new, or replaced with another action).")
                .callback(cb -> cb.call(keeper.status().announcements()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_upstream_withdrawals")
                .help("Routes withdrawn upstream (removed rules, leftovers of an earlier run).")
                .callback(cb -> cb.call(keeper.status().withdrawals()))
                .register(registry);
    }

    /** Where a part of the node registers metrics of its own (an edge's fleet metrics). */
    @SuppressWarnings("exports") // an automatic module: it cannot be required transitively
    public PrometheusRegistry registry() {
        return registry;
    }

    private static String kind(Decision.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    /** The Content-Type of {@link #write}: the Prometheus text format 0.0.4. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Scrapes every metric and writes them in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}

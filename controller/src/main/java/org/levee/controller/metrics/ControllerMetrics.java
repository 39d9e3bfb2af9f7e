package org.levee.controller.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.levee.controller.ingest.AgentDirectory;
import org.levee.detector.Decision;
import org.levee.notify.Notifier;
import org.levee.sflow.SflowCollector;
import org.levee.sflow.SflowFormatException;

/**
 * The controller's Prometheus metrics: sFlow in (datagrams, samples per agent and data center,
 * refusals per reason, skipped formats, the kernel's drops), the detector (samples, undecodable,
 * destinations, attacks, decisions), leadership, publications and their failures, rule sources
 * left out, compile time, writes of automatic rules, and the JVM's own metrics. Values the
 * controller holds are read at scrape time through a {@link Probe}; events are counted as they
 * happen. One registry per controller, so tests run several in one JVM.
 */
public final class ControllerMetrics {

    /** What the metrics read at scrape time. */
    public interface Probe {
        SflowCollector.Stats sflow();

        List<AgentDirectory.Agent> agents();

        long detectorSamples();

        long detectorUndecodable();

        int trackedDestinations();

        long detectorSamplesInAggregateOnly();

        long detectorSamplesUncounted();

        long detectorDestinationsForgotten();

        int attacksActive();

        boolean leader();

        long rulesetVersion();

        int badRules();

        long ruleWrites();

        long ruleWriteFailures();

        long rulesAdopted();

        long retirementsHeld();
    }

    private static final double[] COMPILE_BOUNDS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter decisions;
    private final Counter publishes;
    private final Counter publishFailures;
    private final Histogram compileSeconds;

    public ControllerMetrics(Probe probe) {
        this(probe, Notifier.none());
    }

    /** With {@code levee_controller_notifications_total{sink, outcome}} of {@code notifier} (the leader's sends). */
    public ControllerMetrics(Probe probe, Notifier notifier) {
        CounterWithCallback.builder()
                .name("levee_controller_notifications")
                .help("Notifications this controller sent as leader, by sink and outcome: delivered, failed (given up "
                        + "after retries), dropped (queue full).")
                .labelNames("sink", "outcome")
                .callback(cb -> {
                    for (Notifier.SinkStats s : notifier.stats()) {
                        cb.call(s.delivered(), s.sink(), "delivered");
                        cb.call(s.failed(), s.sink(), "failed");
                        cb.call(s.dropped(), s.sink(), "dropped");
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_sflow_datagrams")
                .help("sFlow datagrams received.")
                .callback(cb -> cb.call(probe.sflow().datagramsReceived()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_sflow_rejected")
                .help("sFlow datagrams and samples refused, by scope (datagram, sample) and reason.")
                .labelNames("scope", "reason")
                .callback(cb -> {
                    SflowCollector.Stats s = probe.sflow();
                    for (SflowFormatException.Reason r : SflowFormatException.Reason.values()) {
                        cb.call(s.datagramsRejected().getOrDefault(r, 0L), "datagram", reason(r));
                        cb.call(s.samplesRejected().getOrDefault(r, 0L), "sample", reason(r));
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_sflow_skipped")
                .help("sFlow samples, records and header protocols skipped (not a raw Ethernet header), by format.")
                .labelNames("format")
                .callback(cb -> probe.sflow().skipped().forEach((format, count) -> cb.call(count, format)))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_sflow_counter_samples")
                .help("sFlow counter samples received (counted, not used).")
                .callback(cb -> cb.call(probe.sflow().counterSamples()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_sflow_kernel_drops")
                .help("sFlow datagrams the kernel dropped because the socket buffer was full.")
                .callback(cb -> cb.call(Math.max(0, probe.sflow().kernelDrops())))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_samples")
                .help(
                        "Packet samples handed to the detector, by sFlow agent and its data center ('unknown': neither registered nor configured).")
                .labelNames("agent", "datacenter")
                .callback(cb -> {
                    for (AgentDirectory.Agent a : probe.agents()) {
                        cb.call(
                                a.samples(),
                                a.address() == null ? "other" : a.address().getHostAddress(),
                                a.assignment().datacenter());
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_detector_samples")
                .help("Samples the detector processed.")
                .callback(cb -> cb.call(probe.detectorSamples()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_detector_undecodable")
                .help("Samples the detector could not decode (not IP, or cut short in the IP header).")
                .callback(cb -> cb.call(probe.detectorUndecodable()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_controller_detector_destinations")
                .help("Destinations (hosts and aggregates) the detector tracks.")
                .callback(cb -> cb.call(probe.trackedDestinations()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_detector_samples_in_aggregate_only")
                .help("Samples counted in their /24 or /64 only: the detector's table of destinations was full.")
                .callback(cb -> cb.call(probe.detectorSamplesInAggregateOnly()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_detector_samples_uncounted")
                .help(
                        "Samples counted nowhere: neither their host nor their aggregate had room in the detector's table.")
                .callback(cb -> cb.call(probe.detectorSamplesUncounted()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_detector_destinations_forgotten")
                .help("Destinations the detector forgot: idle, or making room for a busier one.")
                .callback(cb -> cb.call(probe.detectorDestinationsForgotten()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_controller_attacks_active")
                .help("Attacks under way, as the detector sees them.")
                .callback(cb -> cb.call(probe.attacksActive()))
                .register(registry);
        decisions = Counter.builder()
                .name("levee_controller_detector_decisions")
                .help("Detector decisions, by kind.")
                .labelNames("kind")
                .register(registry);
        for (Decision.Kind k : Decision.Kind.values()) {
            decisions.labelValues(kind(k));
        }
        GaugeWithCallback.builder()
                .name("levee_controller_leader")
                .help("1 while this controller is the leader (the only one that writes), else 0.")
                .callback(cb -> cb.call(probe.leader() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_controller_ruleset_version")
                .help("The version of the rule set in force (the manifest's), 0 before the first.")
                .callback(cb -> cb.call(probe.rulesetVersion()))
                .register(registry);
        publishes = Counter.builder()
                .name("levee_controller_publishes")
                .help("Rule sets this controller published as leader.")
                .register(registry);
        publishFailures = Counter.builder()
                .name("levee_controller_publish_failures")
                .help("Compilations or publications that failed (the rule set in force stayed).")
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_controller_bad_rules")
                .help("Rule sources left out of the set: bad JSON, unknown field, a filter that does not compile.")
                .callback(cb -> cb.call(probe.badRules()))
                .register(registry);
        compileSeconds = Histogram.builder()
                .name("levee_controller_compile_seconds")
                .help("Time to compile the whole rule set into one object.")
                .classicOnly()
                .classicUpperBounds(COMPILE_BOUNDS)
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_rule_writes")
                .help("Automatic rules written to or deleted from etcd.")
                .callback(cb -> cb.call(probe.ruleWrites()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_rule_write_failures")
                .help("Rounds of automatic-rule writes that failed (etcd away; retried).")
                .callback(cb -> cb.call(probe.ruleWriteFailures()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_rules_adopted")
                .help("Automatic rules of other controllers adopted by this one's detector.")
                .callback(cb -> cb.call(probe.rulesAdopted()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_controller_retirements_held")
                .help(
                        "Retirements of automatic rules held back because the edges' own counters still showed the rule's traffic"
                                + " (the samples may not be reaching this controller).")
                .callback(cb -> cb.call(probe.retirementsHeld()))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** Counts one detector decision. */
    public void decision(Decision d) {
        decisions.labelValues(kind(d.kind())).inc();
    }

    /** One compilation of the whole set took {@code took}. */
    public void compiled(Duration took) {
        compileSeconds.observe(took.toNanos() / 1e9);
    }

    /** A rule set was published. */
    public void published() {
        publishes.inc();
    }

    /** A compilation or publication failed. */
    public void publishFailed() {
        publishFailures.inc();
    }

    /** The Content-Type of {@link #write}: the Prometheus text format 0.0.4. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Scrapes every metric and writes them in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    private static String kind(Decision.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private static String reason(SflowFormatException.Reason r) {
        return r.name().toLowerCase(Locale.ROOT);
    }
}

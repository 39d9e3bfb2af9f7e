package org.levee.agent.fleet;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.levee.sflow.SflowExporter;
import org.levee.store.NodeRegistration;
import org.levee.store.etcd.WatchState;

/**
 * An edge's metrics of the fleet, beside the node's own ({@link org.levee.agent.metrics.AgentMetrics}):
 * the rule set it runs and where from, swaps, refused sets by reason, the watch on the manifest,
 * the registration, and the sFlow export. docs/agent.md lists them.
 */
final class EdgeMetrics {
    private final Counter applies;

    /** What the metrics read at scrape time. */
    interface Sources {
        RunningRuleset running();

        WatchState watch();

        NodeRegistration.State registration();

        SflowExporter.Stats export();

        long samplesRead();

        long lastGoodSaveFailures();

        /** Rule sets refused so far, by reason. */
        Map<Refusal, Long> refusals();
    }

    EdgeMetrics(PrometheusRegistry registry, Sources sources) {
        // Counted by the follower, which refuses before the metrics exist (a last good set on start).
        CounterWithCallback.builder()
                .name("levee_ruleset_refused")
                .help("Published rule sets this edge refused (and kept its program), by reason.")
                .labelNames("reason")
                .callback(cb -> sources.refusals().forEach((reason, count) -> cb.call(count, reason.label())))
                .register(registry);
        applies = Counter.builder()
                .name("levee_fleet_ruleset_applies")
                .help(
                        "Swaps of the fleet's program: new rule sets, and the same set specialised again when a rule expired.")
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_ruleset_version")
                .help("The manifest version of the fleet's rule set running (absent while none is known).")
                .callback(cb -> sources.running().version().ifPresent(cb::call))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_ruleset_origin")
                .help("1 for where the running rule set came from: etcd, last-good file, adopted or none.")
                .labelNames("origin")
                .callback(cb -> {
                    for (RunningRuleset.Origin o : RunningRuleset.Origin.values()) {
                        cb.call(sources.running().origin() == o ? 1 : 0, o.label());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_ruleset_applied_timestamp_seconds")
                .help("When this edge last swapped the fleet's program in (Unix time; absent for an adopted program).")
                .callback(cb -> sources.running().applied().ifPresent(t -> cb.call(t.toEpochMilli() / 1000.0)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_program_id")
                .help("The kernel id of the fleet's program (the main stage).")
                .callback(cb -> cb.call(sources.running().programId()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_watch_connected")
                .help("1 while the watch on the manifest has a stream to etcd.")
                .callback(cb -> cb.call(sources.watch().connected() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_watch_revision")
                .help("etcd's revision of the watch's last delivery.")
                .callback(cb -> cb.call(sources.watch().revision()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_fleet_watch_reconnects")
                .help("Times the watch on the manifest had to be established again (stream failures, compactions).")
                .callback(cb -> cb.call(sources.watch().reconnects()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("levee_fleet_registered")
                .help("1 while the edge's registration is in etcd with a live lease.")
                .callback(cb -> cb.call(sources.registration().registered() ? 1 : 0))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_fleet_last_good_save_failures")
                .help("Times the applied rule set could not be kept in the state directory.")
                .callback(cb -> cb.call(sources.lastGoodSaveFailures()))
                .register(registry);
        CounterWithCallback.builder()
                .name("levee_sflow_samples_read")
                .help("Samples read from the ring buffer and handed to the sFlow exporter.")
                .callback(cb -> cb.call(sources.samplesRead()))
                .register(registry);
        export(
                registry,
                "levee_sflow_datagrams_sent",
                "sFlow datagrams sent, summed over collectors.",
                sources,
                SflowExporter.Stats::datagramsSent);
        export(
                registry,
                "levee_sflow_samples_sent",
                "Samples in the sFlow datagrams sent, summed over collectors.",
                sources,
                SflowExporter.Stats::samplesSent);
        export(
                registry,
                "levee_sflow_bytes_sent",
                "Bytes of the sFlow datagrams sent (UDP payload), summed over collectors.",
                sources,
                SflowExporter.Stats::bytesSent);
        export(
                registry,
                "levee_sflow_send_errors",
                "sFlow datagrams not sent to a collector (socket full, ICMP error).",
                sources,
                SflowExporter.Stats::sendErrors);
        export(
                registry,
                "levee_sflow_samples_dropped",
                "Samples the sFlow exporter's queue refused (full).",
                sources,
                SflowExporter.Stats::samplesDropped);
    }

    private static void export(
            PrometheusRegistry registry,
            String name,
            String help,
            Sources sources,
            ToLongFunction<SflowExporter.Stats> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(value.applyAsLong(sources.export())))
                .register(registry);
    }

    void applied() {
        applies.inc();
    }
}

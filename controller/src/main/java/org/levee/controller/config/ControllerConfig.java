package org.levee.controller.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.levee.config.EtcdSection;
import org.levee.detector.DetectorConfig;
import org.levee.notify.NotificationsConfig;
import org.levee.rules.GuardSettings;
import org.levee.store.FleetKeys;
import org.levee.store.LeaderElection;
import org.levee.store.ObjectCollector;
import org.levee.upstream.UpstreamConfig;

/**
 * Everything {@code levee controller} can be configured with; docs/fleet.md ("Controller")
 * documents each key and its default.
 *
 * @param name this controller's identity: the leader key's value, the manifest's {@code controller}
 * @param keys the key layout under the prefix
 * @param etcd how to reach etcd (the endpoints may come from {@code --etcd})
 * @param sflowListen where sFlow datagrams are received
 * @param apiAddress where the HTTP API listens
 * @param sflowAgents data centers of sFlow agents that are not Levee edges (switches, routers), by agent address
 * @param detector the detector's thresholds and timings
 * @param leaderTtl the leader lease: a dead leader is replaced within about this long
 * @param objectGrace how long an object no manifest names is kept (edges may still be fetching it)
 * @param guard which rules the controller refuses ({@code guard:}; {@link GuardSettings#defaults()}); its
 *     default endpoints are the etcd endpoints and TCP 22
 * @param notifications where the leader's notifications go (docs/operations.md, "Notifications")
 * @param upstream the BGP speaker the leader announces the fleet's FlowSpec and blackhole routes
 *     through, and when (the {@code upstream:} section); empty: nothing goes upstream
 */
public record ControllerConfig(
        String name,
        FleetKeys keys,
        EtcdSection etcd,
        InetSocketAddress sflowListen,
        InetSocketAddress apiAddress,
        Map<InetAddress, String> sflowAgents,
        DetectorConfig detector,
        Duration leaderTtl,
        Duration objectGrace,
        GuardSettings guard,
        NotificationsConfig notifications,
        Optional<UpstreamConfig> upstream) {
    /**
     * The detector's defaults, but fingerprinting an attack no sooner than 100 ms after it is
     * detected: edges send their samples in batches every 25 ms, and the first batch after the
     * threshold is crossed comes from one edge; by then every edge's next batch has arrived, so
     * the rule names every data center that sees the attack (docs/fleet.md).
     */
    public static final DetectorConfig DEFAULT_DETECTOR = DetectorConfig.defaults().withMinFingerprintSpan(Duration.ofMillis(100));


    /** The sFlow port agents send to by default. */
    public static final int DEFAULT_SFLOW_PORT = 6343;
    /** The controller's API port (the agent's is 9276, so both fit on one machine). */
    public static final int DEFAULT_API_PORT = 9277;

    public ControllerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(sflowListen, "sflowListen");
        Objects.requireNonNull(apiAddress, "apiAddress");
        sflowAgents = Map.copyOf(sflowAgents);
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(leaderTtl, "leaderTtl");
        Objects.requireNonNull(objectGrace, "objectGrace");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(notifications, "notifications");
        Objects.requireNonNull(upstream, "upstream");
    }

    /** A configuration with the guard's defaults, no notifications and nothing going upstream. */
    public ControllerConfig(String name, FleetKeys keys, EtcdSection etcd, InetSocketAddress sflowListen,
                            InetSocketAddress apiAddress, Map<InetAddress, String> sflowAgents, DetectorConfig detector,
                            Duration leaderTtl, Duration objectGrace) {
        this(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, GuardSettings.defaults(),
                NotificationsConfig.none(), Optional.empty());
    }

    /** The defaults: this host's name, /levee/, sFlow on 0.0.0.0:6343, the API on 127.0.0.1:9277. */
    public static ControllerConfig defaults() {
        return new ControllerConfig(hostName(), FleetKeys.defaults(), EtcdSection.none(),
                new InetSocketAddress("0.0.0.0", DEFAULT_SFLOW_PORT), new InetSocketAddress("127.0.0.1", DEFAULT_API_PORT),
                Map.of(), DEFAULT_DETECTOR, LeaderElection.DEFAULT_TTL, ObjectCollector.DEFAULT_GRACE, GuardSettings.defaults(),
                NotificationsConfig.none(), Optional.empty());
    }

    public ControllerConfig withName(String value) {
        return new ControllerConfig(value, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withKeys(FleetKeys value) {
        return new ControllerConfig(name, value, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withEtcd(EtcdSection value) {
        return new ControllerConfig(name, keys, value, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withSflowListen(InetSocketAddress value) {
        return new ControllerConfig(name, keys, etcd, value, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withApiAddress(InetSocketAddress value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, value, sflowAgents, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withSflowAgents(Map<InetAddress, String> value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, value, detector, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withDetector(DetectorConfig value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, value, leaderTtl, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withLeaderTtl(Duration value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, value, objectGrace, guard, notifications, upstream);
    }

    public ControllerConfig withObjectGrace(Duration value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, value, guard, notifications, upstream);
    }

    public ControllerConfig withGuard(GuardSettings value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, value, notifications, upstream);
    }

    public ControllerConfig withNotifications(NotificationsConfig value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard, value, upstream);
    }

    public ControllerConfig withUpstream(Optional<UpstreamConfig> value) {
        return new ControllerConfig(name, keys, etcd, sflowListen, apiAddress, sflowAgents, detector, leaderTtl, objectGrace, guard,
                notifications, value);
    }

    /** The etcd endpoints configured in the file, if any ({@code --etcd} may give them instead). */
    public Optional<String> etcdEndpoints() {
        return etcd.endpoints();
    }

    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "controller" : name;
        } catch (java.io.IOException e) {
            return "controller";
        }
    }
}

package org.levee.controller.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.levee.config.ApiSection;
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
 * @param api where the HTTP API listens, its token file and TLS
 * @param stateDir where the controller keeps its state: the API's token (the rules are in etcd)
 * @param sflowAgents data centers of sFlow agents that are not Levee edges (switches, routers), by agent address
 * @param detector the detector's thresholds and timings
 * @param leaderTtl the leader lease: a dead leader is replaced within about this long
 * @param objectGrace how long an object no manifest names is kept (edges may still be fetching it)
 * @param guard which rules the controller refuses ({@code guard:}; {@link GuardSettings#defaults()}); its
 *     default endpoints are the etcd endpoints and TCP 22
 * @param notifications where the leader's notifications go (docs/operations.md, "Notifications")
 * @param upstream the BGP speaker the leader announces the fleet's FlowSpec and blackhole routes
 *     through, and when (the {@code upstream:} section); empty: nothing goes upstream
 * @param signingKey the Ed25519 private key (PKCS#8 PEM) the leader signs manifests with; empty:
 *     manifests are published unsigned (docs/security.md, "Signed rule sets")
 */
public record ControllerConfig(
        String name,
        FleetKeys keys,
        EtcdSection etcd,
        InetSocketAddress sflowListen,
        ApiSection api,
        Path stateDir,
        Map<InetAddress, String> sflowAgents,
        DetectorConfig detector,
        Duration leaderTtl,
        Duration objectGrace,
        GuardSettings guard,
        NotificationsConfig notifications,
        Optional<UpstreamConfig> upstream,
        Optional<Path> signingKey) {
    /**
     * The detector's defaults, but fingerprinting an attack no sooner than 100 ms after it is
     * detected: edges send their samples in batches every 25 ms, and the first batch after the
     * threshold is crossed comes from one edge; by then every edge's next batch has arrived, so
     * the rule names every data center that sees the attack (docs/fleet.md).
     */
    public static final DetectorConfig DEFAULT_DETECTOR =
            DetectorConfig.defaults().withMinFingerprintSpan(Duration.ofMillis(100));

    /** The sFlow port agents send to by default. */
    public static final int DEFAULT_SFLOW_PORT = 6343;
    /** The controller's API port (the agent's is 9276, so both fit on one machine). */
    public static final int DEFAULT_API_PORT = 9277;
    /** Where the controller keeps its API token by default. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/levee-controller");

    public ControllerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(sflowListen, "sflowListen");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(stateDir, "stateDir");
        sflowAgents = Map.copyOf(sflowAgents);
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(leaderTtl, "leaderTtl");
        Objects.requireNonNull(objectGrace, "objectGrace");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(notifications, "notifications");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(signingKey, "signingKey");
    }

    /** The parts every controller has, with the defaults of everything after them. */
    public ControllerConfig(
            String name,
            FleetKeys keys,
            EtcdSection etcd,
            InetSocketAddress sflowListen,
            ApiSection api,
            Path stateDir,
            Map<InetAddress, String> sflowAgents,
            DetectorConfig detector,
            Duration leaderTtl,
            Duration objectGrace) {
        this(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                GuardSettings.defaults(),
                NotificationsConfig.none(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * The defaults: this host's name, /levee/, sFlow on 0.0.0.0:6343, the API on 127.0.0.1:9277,
     * state in /var/lib/levee-controller.
     */
    public static ControllerConfig defaults() {
        return new ControllerConfig(
                hostName(),
                FleetKeys.defaults(),
                EtcdSection.none(),
                new InetSocketAddress("0.0.0.0", DEFAULT_SFLOW_PORT),
                ApiSection.on(new InetSocketAddress("127.0.0.1", DEFAULT_API_PORT)),
                DEFAULT_STATE_DIR,
                Map.of(),
                DEFAULT_DETECTOR,
                LeaderElection.DEFAULT_TTL,
                ObjectCollector.DEFAULT_GRACE);
    }

    public ControllerConfig withName(String value) {
        return new ControllerConfig(
                value,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withKeys(FleetKeys value) {
        return new ControllerConfig(
                name,
                value,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withEtcd(EtcdSection value) {
        return new ControllerConfig(
                name,
                keys,
                value,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withSflowListen(InetSocketAddress value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                value,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withApi(ApiSection value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                value,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withStateDir(Path value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                value,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withSflowAgents(Map<InetAddress, String> value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                value,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withDetector(DetectorConfig value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                value,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withLeaderTtl(Duration value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                value,
                objectGrace,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withObjectGrace(Duration value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                value,
                guard,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withGuard(GuardSettings value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                value,
                notifications,
                upstream,
                signingKey);
    }

    public ControllerConfig withNotifications(NotificationsConfig value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                value,
                upstream,
                signingKey);
    }

    public ControllerConfig withUpstream(Optional<UpstreamConfig> value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                value,
                signingKey);
    }

    public ControllerConfig withSigningKey(Optional<Path> value) {
        return new ControllerConfig(
                name,
                keys,
                etcd,
                sflowListen,
                api,
                stateDir,
                sflowAgents,
                detector,
                leaderTtl,
                objectGrace,
                guard,
                notifications,
                upstream,
                value);
    }

    public ControllerConfig withApiAddress(InetSocketAddress value) {
        return withApi(api.withAddress(value));
    }

    /** Where the HTTP API listens. */
    public InetSocketAddress apiAddress() {
        return api.address();
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

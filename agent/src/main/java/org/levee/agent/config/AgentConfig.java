package org.levee.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.levee.config.ApiSection;
import org.levee.config.GuardSection;
import org.levee.detector.DetectorConfig;
import org.levee.notify.NotificationsConfig;
import org.levee.rules.GuardSettings;
import org.levee.rules.RuleGuard;
import org.levee.store.etcd.EtcdSettings;
import org.levee.upstream.UpstreamConfig;

/**
 * Everything {@code levee run} can be configured with; docs/configuration.md documents each
 * field and its default.
 *
 * @param datacenter the data center this node is in, or "" when it has none (rules limited to
 *     data centers then never apply here)
 * @param node the name of this machine in samples and status
 * @param stateDir where rules (and the API token) are kept across restarts
 * @param api where the HTTP API listens (port 0: any free port), its token file and TLS
 * @param sampling how many packets to sample
 * @param detector the detector's thresholds and timings
 * @param restoredAutoRuleGrace how long an automatic rule from a previous run keeps protecting
 *     after a restart (the new detector has no memory of it and makes its own rule if the attack
 *     is still on)
 * @param detachOnExit detach the data plane when the agent stops (default: keep protecting)
 * @param fleet how the node takes part in the fleet; {@link FleetConfig#none()} for a single node
 * @param guard which rules the node refuses ({@code guard:}; {@link GuardSettings#defaults()})
 * @param notifications where a single node's notifications go (in the fleet the leading controller sends them)
 * @param upstream the BGP speaker to announce FlowSpec and blackhole routes through, and when
 *     (the {@code upstream:} section); empty: nothing goes upstream
 */
public record AgentConfig(
        String datacenter,
        String node,
        Path stateDir,
        ApiSection api,
        Sampling sampling,
        DetectorConfig detector,
        Duration restoredAutoRuleGrace,
        boolean detachOnExit,
        FleetConfig fleet,
        GuardSettings guard,
        NotificationsConfig notifications,
        Optional<UpstreamConfig> upstream) {

    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/levee");
    public static final int DEFAULT_API_PORT = 9276;
    public static final Duration DEFAULT_RESTORED_AUTO_RULE_GRACE = Duration.ofMinutes(5);

    public AgentConfig {
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(restoredAutoRuleGrace, "restoredAutoRuleGrace");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(notifications, "notifications");
        Objects.requireNonNull(upstream, "upstream");
    }

    /** A configuration of the fleet's parts, with the defaults of everything after them. */
    public AgentConfig(
            String datacenter,
            String node,
            Path stateDir,
            ApiSection api,
            Sampling sampling,
            DetectorConfig detector,
            Duration restoredAutoRuleGrace,
            boolean detachOnExit,
            FleetConfig fleet) {
        this(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                GuardSettings.defaults(),
                NotificationsConfig.none(),
                Optional.empty());
    }

    /** As above, with the API on {@code apiAddress} and its defaults. */
    public AgentConfig(
            String datacenter,
            String node,
            Path stateDir,
            InetSocketAddress apiAddress,
            Sampling sampling,
            DetectorConfig detector,
            Duration restoredAutoRuleGrace,
            boolean detachOnExit,
            FleetConfig fleet) {
        this(
                datacenter,
                node,
                stateDir,
                ApiSection.on(apiAddress),
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet);
    }

    /** A single node's configuration (no fleet). */
    public AgentConfig(
            String datacenter,
            String node,
            Path stateDir,
            InetSocketAddress apiAddress,
            Sampling sampling,
            DetectorConfig detector,
            Duration restoredAutoRuleGrace,
            boolean detachOnExit) {
        this(
                datacenter,
                node,
                stateDir,
                apiAddress,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                FleetConfig.none());
    }

    /** The defaults: no data center, this host's name, /var/lib/levee, 127.0.0.1:9276. */
    public static AgentConfig defaults() {
        return new AgentConfig(
                "",
                hostName(),
                DEFAULT_STATE_DIR,
                new InetSocketAddress("127.0.0.1", DEFAULT_API_PORT),
                Sampling.target(Sampling.DEFAULT_TARGET_PER_SECOND),
                DetectorConfig.defaults(),
                DEFAULT_RESTORED_AUTO_RULE_GRACE,
                false);
    }

    public AgentConfig withDatacenter(String value) {
        return new AgentConfig(
                value,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withNode(String value) {
        return new AgentConfig(
                datacenter,
                value,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withStateDir(Path value) {
        return new AgentConfig(
                datacenter,
                node,
                value,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withApi(ApiSection value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                value,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withSampling(Sampling value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                value,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withDetector(DetectorConfig value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                value,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withDetachOnExit(boolean value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                value,
                fleet,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withFleet(FleetConfig value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                value,
                guard,
                notifications,
                upstream);
    }

    public AgentConfig withGuard(GuardSettings value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                value,
                notifications,
                upstream);
    }

    public AgentConfig withNotifications(NotificationsConfig value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                value,
                upstream);
    }

    public AgentConfig withUpstream(Optional<UpstreamConfig> value) {
        return new AgentConfig(
                datacenter,
                node,
                stateDir,
                api,
                sampling,
                detector,
                restoredAutoRuleGrace,
                detachOnExit,
                fleet,
                guard,
                notifications,
                value);
    }

    public AgentConfig withApiAddress(InetSocketAddress value) {
        return withApi(api.withAddress(value));
    }

    /** Where the HTTP API listens (port 0: any free port). */
    public InetSocketAddress apiAddress() {
        return api.address();
    }

    /**
     * The rule guard of this node: the configured endpoints, and unless {@code protect_defaults}
     * is off its API's address, its etcd endpoints (on an edge of the fleet) and TCP 22.
     */
    public RuleGuard ruleGuard() {
        List<java.net.URI> etcd =
                fleet.etcdEndpoints().map(e -> EtcdSettings.of(e).endpoints()).orElse(List.of());
        return RuleGuard.of(guard, GuardSection.defaultEndpoints(java.util.Optional.of(apiAddress()), etcd));
    }

    /** The data center samples are tagged with: the configured one, or "local". */
    public String sampleDatacenter() {
        return datacenter.isEmpty() ? "local" : datacenter;
    }

    private static String hostName() {
        try {
            String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname"))
                    .strip();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}

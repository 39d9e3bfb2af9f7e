package org.levee.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.levee.detector.DetectorConfig;
import org.levee.upstream.UpstreamConfig;

/**
 * Everything {@code levee run} can be configured with; docs/configuration.md documents each
 * field and its default.
 *
 * @param datacenter the data center this node is in, or "" when it has none (rules limited to
 *     data centers then never apply here)
 * @param node the name of this machine in samples and status
 * @param stateDir where rules are kept across restarts
 * @param apiAddress where the HTTP API listens (port 0: any free port)
 * @param sampling how many packets to sample
 * @param detector the detector's thresholds and timings
 * @param restoredAutoRuleGrace how long an automatic rule from a previous run keeps protecting
 *     after a restart (the new detector has no memory of it and makes its own rule if the attack
 *     is still on)
 * @param detachOnExit detach the data plane when the agent stops (default: keep protecting)
 * @param fleet how the node takes part in the fleet; {@link FleetConfig#none()} for a single node
 * @param upstream the BGP speaker to announce FlowSpec and blackhole routes through, and when
 *     (the {@code upstream:} section); empty: nothing goes upstream
 */
public record AgentConfig(
        String datacenter,
        String node,
        Path stateDir,
        InetSocketAddress apiAddress,
        Sampling sampling,
        DetectorConfig detector,
        Duration restoredAutoRuleGrace,
        boolean detachOnExit,
        FleetConfig fleet,
        Optional<UpstreamConfig> upstream) {

    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/levee");
    public static final int DEFAULT_API_PORT = 9276;
    public static final Duration DEFAULT_RESTORED_AUTO_RULE_GRACE = Duration.ofMinutes(5);

    public AgentConfig {
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(apiAddress, "apiAddress");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(restoredAutoRuleGrace, "restoredAutoRuleGrace");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(upstream, "upstream");
    }

    /** A configuration with nothing going upstream. */
    public AgentConfig(String datacenter, String node, Path stateDir, InetSocketAddress apiAddress, Sampling sampling,
                       DetectorConfig detector, Duration restoredAutoRuleGrace, boolean detachOnExit, FleetConfig fleet) {
        this(datacenter, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet,
                Optional.empty());
    }

    /** A single node's configuration (no fleet). */
    public AgentConfig(String datacenter, String node, Path stateDir, InetSocketAddress apiAddress, Sampling sampling,
                       DetectorConfig detector, Duration restoredAutoRuleGrace, boolean detachOnExit) {
        this(datacenter, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, FleetConfig.none());
    }

    /** The defaults: no data center, this host's name, /var/lib/levee, 127.0.0.1:9276. */
    public static AgentConfig defaults() {
        return new AgentConfig("", hostName(), DEFAULT_STATE_DIR,
                new InetSocketAddress("127.0.0.1", DEFAULT_API_PORT), Sampling.target(Sampling.DEFAULT_TARGET_PER_SECOND),
                DetectorConfig.defaults(), DEFAULT_RESTORED_AUTO_RULE_GRACE, false, FleetConfig.none(), Optional.empty());
    }

    public AgentConfig withDatacenter(String value) {
        return new AgentConfig(value, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withStateDir(Path value) {
        return new AgentConfig(datacenter, node, value, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withApiAddress(InetSocketAddress value) {
        return new AgentConfig(datacenter, node, stateDir, value, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withSampling(Sampling value) {
        return new AgentConfig(datacenter, node, stateDir, apiAddress, value, detector, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withDetector(DetectorConfig value) {
        return new AgentConfig(datacenter, node, stateDir, apiAddress, sampling, value, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withDetachOnExit(boolean value) {
        return new AgentConfig(datacenter, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, value, fleet, upstream);
    }

    public AgentConfig withNode(String value) {
        return new AgentConfig(datacenter, value, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet, upstream);
    }

    public AgentConfig withFleet(FleetConfig value) {
        return new AgentConfig(datacenter, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, value, upstream);
    }

    public AgentConfig withUpstream(Optional<UpstreamConfig> value) {
        return new AgentConfig(datacenter, node, stateDir, apiAddress, sampling, detector, restoredAutoRuleGrace, detachOnExit, fleet,
                value);
    }

    /** The data center samples are tagged with: the configured one, or "local". */
    public String sampleDatacenter() {
        return datacenter.isEmpty() ? "local" : datacenter;
    }

    private static String hostName() {
        try {
            String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}

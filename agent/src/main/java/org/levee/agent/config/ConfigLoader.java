package org.levee.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.levee.config.ConfigException;
import org.levee.config.ConfigReader;
import org.levee.config.DetectorSection;
import org.levee.config.ListenAddress;
import org.levee.detector.DetectorConfig;

/**
 * Reads {@code levee.yaml}. Every key is optional (the defaults are {@link AgentConfig#defaults()});
 * every problem is collected before failing, each named by its key path
 * ({@code detector.host_thresholds.udp.pps: must be a whole number …}), unknown keys included, so a
 * typo never silently falls back to a default. The {@code detector:} section is the config
 * module's, shared with the controller.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    private static final Set<String> TOP = Set.of("datacenter", "node", "state_dir", "api", "sampling", "detector",
            "restored_auto_rule_grace", "detach_on_exit");
    private static final Set<String> API = Set.of("address");
    private static final Set<String> SAMPLING = Set.of("target_per_second", "rate", "max_rate");

    /** Reads the file at {@code path}. */
    public static AgentConfig load(Path path) {
        return parse(path.toString(), ConfigReader.readFile(path));
    }

    /**
     * Parses YAML text; {@code source} names it in errors.
     *
     * @throws ConfigException listing every problem with its key path
     */
    public static AgentConfig parse(String source, String text) {
        JsonNode root = ConfigReader.parseYaml(source, text);
        Reader r = new Reader();
        AgentConfig config = r.read(root);
        r.throwIfProblems(source);
        return config;
    }

    private static final class Reader extends ConfigReader {

        AgentConfig read(JsonNode root) {
            AgentConfig d = AgentConfig.defaults();
            if (root == null || root.isMissingNode() || root.isNull()) {
                return d; // an empty file: all defaults
            }
            if (!mapping(root, "", TOP)) {
                return d;
            }
            JsonNode dcNode = root.get("datacenter");
            String datacenter = dcNode != null && dcNode.isTextual() && dcNode.asText().isEmpty()
                    ? "" // "" is how the documented example spells "no data center"
                    : string(root, "datacenter", d.datacenter());
            if (!datacenter.isEmpty() && !datacenter.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                problem("datacenter", "'" + datacenter + "' is not a data center name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
            }
            String node = string(root, "node", d.node());
            Path stateDir = Path.of(string(root, "state_dir", d.stateDir().toString()));
            InetSocketAddress api = d.apiAddress();
            JsonNode apiNode = root.get("api");
            if (apiNode != null && mapping(apiNode, "api", API)) {
                api = parsed(apiNode, "api.address", "address", api, ListenAddress::parse);
            }
            Sampling sampling = readSampling(root.get("sampling"), d.sampling());
            DetectorConfig detector = DetectorSection.read(this, root.get("detector"), "detector", d.detector());
            Duration grace = duration(root, "restored_auto_rule_grace", "restored_auto_rule_grace", d.restoredAutoRuleGrace());
            boolean detach = bool(root, "detach_on_exit", "detach_on_exit", d.detachOnExit());
            if (!problems().isEmpty()) {
                return d;
            }
            return new AgentConfig(datacenter, node, stateDir, api, sampling, detector, grace, detach);
        }

        private Sampling readSampling(JsonNode node, Sampling d) {
            if (node == null || !mapping(node, "sampling", SAMPLING)) {
                return d;
            }
            Long target = number(node, "sampling.target_per_second", "target_per_second", 1, 100_000_000L);
            Long rate = number(node, "sampling.rate", "rate", 1, Integer.MAX_VALUE);
            Long max = number(node, "sampling.max_rate", "max_rate", 1, Integer.MAX_VALUE);
            if (target != null && rate != null) {
                problem("sampling", "give either target_per_second (the agent adjusts N) or rate (a fixed N), not both");
                return d;
            }
            int maxRate = max == null ? d.maxRate() : max.intValue();
            if (rate != null) {
                return new Sampling(0, rate.intValue(), maxRate);
            }
            return new Sampling(target == null ? d.targetPerSecond() : target, 0, maxRate);
        }
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (loopback): {@link ListenAddress#parse}. */
    public static InetSocketAddress parseAddress(String text) {
        return ListenAddress.parse(text);
    }
}

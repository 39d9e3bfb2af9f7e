package org.levee.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.levee.config.ApiSection;
import org.levee.config.ConfigException;
import org.levee.config.ConfigReader;
import org.levee.config.DetectorSection;
import org.levee.config.GuardSection;
import org.levee.config.ListenAddress;
import org.levee.config.NotificationsSection;
import org.levee.detector.DetectorConfig;
import org.levee.notify.NotificationsConfig;
import org.levee.rules.Durations;
import org.levee.rules.GuardSettings;
import org.levee.sflow.SflowAddresses;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.EtcdSettings;
import org.levee.upstream.UpstreamConfig;
import org.levee.upstream.UpstreamConfigLoader;

/**
 * Reads {@code levee.yaml}. Every key is optional (the defaults are {@link AgentConfig#defaults()});
 * every problem is collected before failing, each named by its key path
 * ({@code detector.host_thresholds.udp.pps: must be a whole number …}), unknown keys included, so a
 * typo never silently falls back to a default. The {@code detector:} section is the config
 * module's, shared with the controller; the {@code upstream:} section is the upstream module's.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    private static final Set<String> TOP = Set.of(
            "datacenter",
            "node",
            "state_dir",
            "api",
            "sampling",
            "detector",
            "restored_auto_rule_grace",
            "detach_on_exit",
            "fleet",
            "guard",
            "notifications",
            "upstream");
    private static final Set<String> FLEET =
            Set.of("etcd", "prefix", "sflow", "registration_ttl", "report_interval", "trusted_keys");
    private static final Set<String> ETCD =
            Set.of("endpoints", "ca", "cert", "key", "user", "password", "password_file");
    private static final Set<String> SFLOW = Set.of("collectors", "counter_interval");
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
            String datacenter =
                    dcNode != null && dcNode.isTextual() && dcNode.asText().isEmpty()
                            ? "" // "" is how the documented example spells "no data center"
                            : string(root, "datacenter", d.datacenter());
            if (!datacenter.isEmpty() && !datacenter.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                problem("datacenter", "'" + datacenter + "' is not a data center name ([A-Za-z0-9][A-Za-z0-9_.-]*)");
            }
            String node = string(root, "node", d.node());
            Path stateDir = file(root, "state_dir", "state_dir").orElse(d.stateDir());
            ApiSection api = ApiSection.read(this, root.get("api"), "api", d.api());
            Sampling sampling = readSampling(root.get("sampling"), d.sampling());
            DetectorConfig detector = DetectorSection.read(this, root.get("detector"), "detector", d.detector());
            Duration grace =
                    duration(root, "restored_auto_rule_grace", "restored_auto_rule_grace", d.restoredAutoRuleGrace());
            boolean detach = bool(root, "detach_on_exit", "detach_on_exit", d.detachOnExit());
            FleetConfig fleet = readFleet(root.get("fleet"), d.fleet());
            GuardSettings guard = GuardSection.read(this, root.get("guard"), "guard", d.guard());
            NotificationsConfig notifications =
                    NotificationsSection.read(this, root.get("notifications"), "notifications");
            Optional<UpstreamConfig> upstream = Optional.empty();
            JsonNode upstreamNode = root.get("upstream");
            if (upstreamNode != null && !upstreamNode.isNull()) {
                upstream = Optional.ofNullable(UpstreamConfigLoader.read(upstreamNode, "upstream", problems()));
                if (fleet.enabled()) {
                    // Many edges announcing the same routes would fight over them; the leader speaks for the fleet.
                    problem(
                            "upstream",
                            "an edge of the fleet does not announce: configure upstream: on the controllers"
                                    + " (only the leader announces)");
                }
            }
            if (!problems().isEmpty()) {
                return d;
            }
            return new AgentConfig(
                    datacenter,
                    node,
                    stateDir,
                    api,
                    sampling,
                    detector,
                    grace,
                    detach,
                    fleet,
                    guard,
                    notifications,
                    upstream);
        }

        private FleetConfig readFleet(JsonNode node, FleetConfig d) {
            if (node == null || node.isNull() || !mapping(node, "fleet", FLEET)) {
                return d;
            }
            FleetConfig fleet = d;
            JsonNode etcd = node.get("etcd");
            if (etcd != null && mapping(etcd, "fleet.etcd", ETCD)) {
                String endpoints = listOrString(etcd, "fleet.etcd.endpoints", "endpoints");
                if (endpoints != null) {
                    try {
                        EtcdSettings.of(endpoints);
                        fleet = fleet.withEtcdEndpoints(endpoints);
                    } catch (IllegalArgumentException e) {
                        problem("fleet.etcd.endpoints", e.getMessage());
                    }
                }
                fleet = fleet.withEtcdTls(
                        path(etcd, "fleet.etcd.ca", "ca"),
                        path(etcd, "fleet.etcd.cert", "cert"),
                        path(etcd, "fleet.etcd.key", "key"));
                Optional<String> user = Optional.ofNullable(string(etcd, "fleet.etcd.user", "user", null));
                Optional<String> password = Optional.ofNullable(string(etcd, "fleet.etcd.password", "password", null));
                Optional<Path> passwordFile = path(etcd, "fleet.etcd.password_file", "password_file");
                if (password.isPresent() && passwordFile.isPresent()) {
                    problem("fleet.etcd", "give either password or password_file, not both");
                }
                fleet = fleet.withEtcdUser(user, password, passwordFile);
            }
            String prefix = string(node, "fleet.prefix", "prefix", null);
            if (prefix != null) {
                try {
                    fleet = fleet.withKeys(new FleetKeys(prefix));
                } catch (IllegalArgumentException e) {
                    problem("fleet.prefix", e.getMessage());
                }
            }
            JsonNode sflow = node.get("sflow");
            if (sflow != null && mapping(sflow, "fleet.sflow", SFLOW)) {
                String collectors = listOrString(sflow, "fleet.sflow.collectors", "collectors");
                if (collectors != null) {
                    try {
                        fleet = fleet.withCollectors(SflowAddresses.parseList(collectors));
                    } catch (IllegalArgumentException e) {
                        problem("fleet.sflow.collectors", e.getMessage());
                    }
                }
                Duration interval =
                        duration(sflow, "fleet.sflow.counter_interval", "counter_interval", fleet.counterInterval());
                if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                    problem("fleet.sflow.counter_interval", "must be at least 1s");
                } else {
                    fleet = fleet.withCounterInterval(interval);
                }
            }
            Duration ttl = duration(node, "fleet.registration_ttl", "registration_ttl", fleet.registrationTtl());
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0
                    || ttl.compareTo(FleetConfig.MAX_REGISTRATION_TTL) > 0
                    || ttl.toMillis() % 1000 != 0) {
                problem(
                        "fleet.registration_ttl",
                        "must be whole seconds in 1s.." + Durations.format(FleetConfig.MAX_REGISTRATION_TTL) + ", not "
                                + Durations.format(ttl));
            } else {
                fleet = fleet.withRegistrationTtl(ttl);
            }
            JsonNode trusted = node.get("trusted_keys");
            if (trusted != null && !trusted.isNull()) {
                List<Path> files = new ArrayList<>();
                if (!trusted.isArray()) {
                    problem(
                            "fleet.trusted_keys",
                            "must be a list of public key files (PEM), like [/etc/levee/signing.pub]");
                } else {
                    for (int i = 0; i < trusted.size(); i++) {
                        JsonNode item = trusted.get(i);
                        if (!item.isTextual() || item.asText().isBlank()) {
                            problem(
                                    "fleet.trusted_keys[" + i + "]",
                                    "must be the path of a public key file (PEM), got " + item);
                        } else {
                            files.add(Path.of(item.asText()));
                        }
                    }
                }
                fleet = fleet.withTrustedKeys(files);
            }
            Duration report = duration(node, "fleet.report_interval", "report_interval", fleet.reportInterval());
            if (report.compareTo(Duration.ofSeconds(1)) < 0) {
                problem("fleet.report_interval", "must be at least 1s");
            } else {
                fleet = fleet.withReportInterval(report);
            }
            return fleet;
        }

        /** A string, or a list of strings joined with commas. */
        private String listOrString(JsonNode node, String path, String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode() || item.asText().isBlank()) {
                        problem(path, "must be a list of non-empty strings");
                        return null;
                    }
                    items.add(item.asText().strip());
                }
                if (items.isEmpty()) {
                    problem(path, "must not be empty");
                    return null;
                }
                return String.join(",", items);
            }
            return string(node, path, key, null);
        }

        private Optional<Path> path(JsonNode node, String path, String key) {
            return file(node, path, key);
        }

        private Sampling readSampling(JsonNode node, Sampling d) {
            if (node == null || !mapping(node, "sampling", SAMPLING)) {
                return d;
            }
            Long target = number(node, "sampling.target_per_second", "target_per_second", 1, 100_000_000L);
            Long rate = number(node, "sampling.rate", "rate", 1, Integer.MAX_VALUE);
            Long max = number(node, "sampling.max_rate", "max_rate", 1, Integer.MAX_VALUE);
            if (target != null && rate != null) {
                problem(
                        "sampling",
                        "give either target_per_second (the agent adjusts N) or rate (a fixed N), not both");
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

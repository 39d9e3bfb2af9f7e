package org.levee.agent.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.levee.detector.DetectorConfig;
import org.levee.detector.Threshold;
import org.levee.detector.sample.TrafficClass;
import org.levee.sflow.SflowAddresses;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.EtcdSettings;

/**
 * Reads {@code levee.yaml}. Every key is optional (the defaults are {@link AgentConfig#defaults()});
 * every problem is collected before failing, each named by its key path
 * ({@code detector.host_thresholds.udp.pps: must be a whole number …}), unknown keys included, so a
 * typo never silently falls back to a default.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    private static final YAMLMapper YAML = new YAMLMapper();

    private static final Set<String> TOP = Set.of("datacenter", "node", "state_dir", "api", "sampling", "detector",
            "restored_auto_rule_grace", "detach_on_exit", "fleet");
    private static final Set<String> FLEET = Set.of("etcd", "prefix", "sflow", "registration_ttl", "report_interval");
    private static final Set<String> ETCD = Set.of("endpoints", "ca", "cert", "key", "user", "password", "password_file");
    private static final Set<String> SFLOW = Set.of("collectors", "counter_interval");
    private static final Set<String> API = Set.of("address");
    private static final Set<String> SAMPLING = Set.of("target_per_second", "rate", "max_rate");
    private static final Set<String> DETECTOR = Set.of("host_thresholds", "aggregate_thresholds", "baseline_multiple",
            "baseline_floor_pps", "baseline_warmup", "cooldown", "end_fraction", "min_fingerprint_samples",
            "max_fingerprint_delay", "coverage_target", "max_baseline_match");
    private static final Set<String> THRESHOLD = Set.of("pps", "bps");

    /** Reads the file at {@code path}. */
    public static AgentConfig load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), List.of("cannot read the file: " + e));
        }
        return parse(path.toString(), text);
    }

    /**
     * Parses YAML text; {@code source} names it in errors.
     *
     * @throws ConfigException listing every problem with its key path
     */
    public static AgentConfig parse(String source, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
        }
        Reader r = new Reader();
        AgentConfig config = r.read(root);
        if (!r.problems.isEmpty()) {
            throw new ConfigException(source, r.problems);
        }
        return config;
    }

    private static final class Reader {
        final List<String> problems = new ArrayList<>();

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
                String address = string(apiNode, "api.address", "address", null);
                if (address != null) {
                    try {
                        api = parseAddress(address);
                    } catch (IllegalArgumentException e) {
                        problem("api.address", e.getMessage());
                    }
                }
            }
            Sampling sampling = readSampling(root.get("sampling"), d.sampling());
            DetectorConfig detector = readDetector(root.get("detector"), d.detector());
            Duration grace = duration(root, "restored_auto_rule_grace", "restored_auto_rule_grace", d.restoredAutoRuleGrace());
            boolean detach = d.detachOnExit();
            JsonNode detachNode = root.get("detach_on_exit");
            if (detachNode != null) {
                if (detachNode.isBoolean()) {
                    detach = detachNode.asBoolean();
                } else {
                    problem("detach_on_exit", "must be true or false, not '" + detachNode.asText() + "'");
                }
            }
            FleetConfig fleet = readFleet(root.get("fleet"), d.fleet());
            if (!problems.isEmpty()) {
                return d;
            }
            return new AgentConfig(datacenter, node, stateDir, api, sampling, detector, grace, detach, fleet);
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
                fleet = fleet.withEtcdTls(path(etcd, "fleet.etcd.ca", "ca"), path(etcd, "fleet.etcd.cert", "cert"),
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
                Duration interval = duration(sflow, "fleet.sflow.counter_interval", "counter_interval", fleet.counterInterval());
                if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                    problem("fleet.sflow.counter_interval", "must be at least 1s");
                } else {
                    fleet = fleet.withCounterInterval(interval);
                }
            }
            Duration ttl = duration(node, "fleet.registration_ttl", "registration_ttl", fleet.registrationTtl());
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(FleetConfig.MAX_REGISTRATION_TTL) > 0
                    || ttl.toMillis() % 1000 != 0) {
                problem("fleet.registration_ttl", "must be whole seconds in 1s.." + Durations.format(FleetConfig.MAX_REGISTRATION_TTL)
                        + ", not " + Durations.format(ttl));
            } else {
                fleet = fleet.withRegistrationTtl(ttl);
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
            return Optional.ofNullable(string(node, path, key, null)).map(Path::of);
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

        private DetectorConfig readDetector(JsonNode node, DetectorConfig d) {
            if (node == null || !mapping(node, "detector", DETECTOR)) {
                return d;
            }
            Map<TrafficClass, Threshold> host = thresholds(node.get("host_thresholds"), "detector.host_thresholds",
                    d.hostThresholds());
            Map<TrafficClass, Threshold> aggregate = thresholds(node.get("aggregate_thresholds"),
                    "detector.aggregate_thresholds", d.aggregateThresholds());
            double multiple = decimal(node, "detector.baseline_multiple", "baseline_multiple", d.baselineMultiple(), 1.0001, 1e6);
            Long floor = number(node, "detector.baseline_floor_pps", "baseline_floor_pps", 1, Long.MAX_VALUE);
            Duration warmup = duration(node, "detector.baseline_warmup", "baseline_warmup",
                    Duration.ofSeconds(d.baselineWarmupSeconds()));
            Duration cooldown = duration(node, "detector.cooldown", "cooldown", d.cooldown());
            double end = decimal(node, "detector.end_fraction", "end_fraction", d.endFraction(), 0.0001, 1);
            Long minSamples = number(node, "detector.min_fingerprint_samples", "min_fingerprint_samples", 1, 1_000_000);
            Duration delay = duration(node, "detector.max_fingerprint_delay", "max_fingerprint_delay", d.maxFingerprintDelay());
            double coverage = decimal(node, "detector.coverage_target", "coverage_target", d.coverageTarget(), 0.0001, 1);
            double baselineMatch = decimal(node, "detector.max_baseline_match", "max_baseline_match",
                    d.maxBaselineMatch(), 0, 0.9999);
            if (warmup.toSeconds() < 1) {
                problem("detector.baseline_warmup", "must be at least 1s");
                warmup = Duration.ofSeconds(1);
            }
            try {
                return new DetectorConfig(host, aggregate, d.overrides(), d.aggregateLengthV4(), d.aggregateLengthV6(),
                        d.windowSeconds(), multiple, floor == null ? d.baselineFloorPacketsPerSecond() : floor,
                        d.baselineHalfLifeSeconds(), (int) Math.min(Integer.MAX_VALUE, warmup.toSeconds()), end, cooldown,
                        coverage, baselineMatch, minSamples == null ? d.minFingerprintSamples() : minSamples.intValue(),
                        delay, d.sketchCapacity(), d.reservoirSize(), d.historySamples(),
                d.historySamplesPerSecond(), d.datacenterMinShare(), d.seed());
            } catch (IllegalArgumentException e) {
                problem("detector", e.getMessage());
                return d;
            }
        }

        private Map<TrafficClass, Threshold> thresholds(JsonNode node, String path, Map<TrafficClass, Threshold> d) {
            Map<TrafficClass, Threshold> out = new EnumMap<>(d);
            if (node == null) {
                return out;
            }
            Set<String> classes = new java.util.TreeSet<>();
            for (TrafficClass c : TrafficClass.values()) {
                classes.add(c.name().toLowerCase(Locale.ROOT));
            }
            if (!mapping(node, path, classes)) {
                return out;
            }
            for (TrafficClass c : TrafficClass.values()) {
                String key = c.name().toLowerCase(Locale.ROOT);
                JsonNode t = node.get(key);
                if (t == null || !mapping(t, path + "." + key, THRESHOLD)) {
                    continue;
                }
                Threshold old = d.get(c);
                long pps = limit(t, path + "." + key + ".pps", "pps", old.packetsPerSecond());
                long bps = limit(t, path + "." + key + ".bps", "bps", old.bitsPerSecond());
                out.put(c, new Threshold(pps, bps));
            }
            return out;
        }

        /** A positive whole number, or "none" for no limit. */
        private long limit(JsonNode node, String path, String key, long d) {
            JsonNode v = node.get(key);
            if (v == null) {
                return d;
            }
            if (v.isTextual() && v.asText().equals("none")) {
                return Long.MAX_VALUE;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
                problem(path, "must be a positive whole number or 'none', not '" + v.asText() + "'");
                return d;
            }
            return v.asLong();
        }

        /** True when {@code node} is a mapping; reports keys not in {@code allowed}. */
        private boolean mapping(JsonNode node, String path, Set<String> allowed) {
            if (!node.isObject()) {
                problem(path.isEmpty() ? "(top level)" : path, "must be a mapping of keys");
                return false;
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!allowed.contains(key)) {
                    problem(path.isEmpty() ? key : path + "." + key, "unknown key (known here: "
                            + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
            return true;
        }

        private String string(JsonNode node, String key, String d) {
            return string(node, key, key, d);
        }

        private String string(JsonNode node, String path, String key, String d) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return d;
            }
            if (!v.isValueNode() || v.asText().isBlank()) {
                problem(path, "must be a non-empty string");
                return d;
            }
            return v.asText();
        }

        private Long number(JsonNode node, String path, String key, long min, long max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                problem(path, "must be a whole number in " + min + ".." + max + ", not '" + v.asText() + "'");
                return null;
            }
            return v.asLong();
        }

        private double decimal(JsonNode node, String path, String key, double d, double min, double max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return d;
            }
            if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
                problem(path, "must be a number in " + min + ".." + max + ", not '" + v.asText() + "'");
                return d;
            }
            return v.asDouble();
        }

        private Duration duration(JsonNode node, String path, String key, Duration d) {
            return parsed(node, path, key, d, Durations::parse);
        }

        private <T> T parsed(JsonNode node, String path, String key, T d, Function<String, T> parser) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return d;
            }
            try {
                return parser.apply(v.asText());
            } catch (IllegalArgumentException e) {
                problem(path, e.getMessage());
                return d;
            }
        }

        private void problem(String path, String what) {
            problems.add(path + ": " + what);
        }
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (loopback). */
    public static InetSocketAddress parseAddress(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' is not host:port (like 127.0.0.1:9276)");
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) > 65535) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not in 0..65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+|localhost")) {
            throw new IllegalArgumentException("'" + text + "': the host must be an IP address (the API binds to it)");
        }
        return new InetSocketAddress(host, Integer.parseInt(portText));
    }
}

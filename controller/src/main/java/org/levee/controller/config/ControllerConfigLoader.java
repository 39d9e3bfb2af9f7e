package org.levee.controller.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.levee.config.ApiSection;
import org.levee.config.ConfigException;
import org.levee.config.ConfigReader;
import org.levee.config.DetectorSection;
import org.levee.config.EtcdSection;
import org.levee.config.GuardSection;
import org.levee.config.ListenAddress;
import org.levee.config.NotificationsSection;
import org.levee.detector.DetectorConfig;
import org.levee.notify.NotificationsConfig;
import org.levee.rules.GuardSettings;
import org.levee.rules.YamlTrees;
import org.levee.store.FleetKeys;
import org.levee.store.RegistrationJson;
import org.levee.upstream.UpstreamConfig;
import org.levee.upstream.UpstreamConfigLoader;

/**
 * Reads the controller's YAML configuration. Every key is optional (defaults:
 * {@link ControllerConfig#defaults()}); every problem is collected before failing, each named by
 * its key path, unknown keys included. The {@code detector:} section is the agent's, the
 * {@code etcd:} section the edges'.
 *
 * <pre>
 * name: ctl-a
 * prefix: /levee/
 * etcd: {endpoints: http://10.0.0.1:2379, ca: …, cert: …, key: …, user: …, password: …, request_timeout: 5s}
 * sflow: {listen: 0.0.0.0:6343}
 * api: {address: 127.0.0.1:9277, token_file: …, tls_cert: …, tls_key: …}
 * state_dir: /var/lib/levee-controller
 * sflow_agents: {192.0.2.1: ams1}
 * leader_ttl: 3s
 * object_grace: 10m
 * signing: {key: /etc/levee/signing.key}
 * detector: {…}
 * </pre>
 */
public final class ControllerConfigLoader {
    private ControllerConfigLoader() {}

    private static final Set<String> TOP = Set.of(
            "name",
            "prefix",
            "etcd",
            "sflow",
            "api",
            "state_dir",
            "sflow_agents",
            "detector",
            "leader_ttl",
            "object_grace",
            "guard",
            "notifications",
            "upstream",
            "signing");
    private static final Set<String> SIGNING = Set.of("key");
    private static final Set<String> SFLOW = Set.of("listen");
    /** What a data center name looks like: it becomes a segment of etcd keys and a metric label. */
    public static final String DATACENTER = "[A-Za-z0-9][A-Za-z0-9_.-]*";

    /** Reads the file at {@code path}. */
    public static ControllerConfig load(Path path) {
        return parse(path.toString(), ConfigReader.readFile(path));
    }

    /**
     * Parses YAML text; {@code source} names it in errors.
     *
     * @throws ConfigException listing every problem with its key path
     */
    public static ControllerConfig parse(String source, String text) {
        JsonNode root = ConfigReader.parseYaml(source, text);
        Reader r = new Reader();
        ControllerConfig config = r.read(root);
        r.throwIfProblems(source);
        return config;
    }

    /** {@code name} when it can be a controller's identity, else an IllegalArgumentException saying why. */
    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}")) {
            throw new IllegalArgumentException(
                    "'" + name + "' is not a controller name ([A-Za-z0-9][A-Za-z0-9_.:-]*, at most 63 characters)");
        }
        return name;
    }

    /** An etcd key prefix, checked: starts and ends with '/'. */
    public static FleetKeys checkPrefix(String prefix) {
        return new FleetKeys(prefix);
    }

    private static final class Reader extends ConfigReader {

        ControllerConfig read(JsonNode root) {
            ControllerConfig d = ControllerConfig.defaults();
            if (root == null || root.isMissingNode() || root.isNull()) {
                return d;
            }
            if (!mapping(root, "", TOP)) {
                return d;
            }
            String name = parsed(root, "name", "name", d.name(), ControllerConfigLoader::checkName);
            FleetKeys keys = parsed(root, "prefix", "prefix", d.keys(), ControllerConfigLoader::checkPrefix);
            EtcdSection etcd = EtcdSection.read(this, root.get("etcd"), "etcd");
            InetSocketAddress sflow = d.sflowListen();
            JsonNode sflowNode = root.get("sflow");
            if (sflowNode != null && mapping(sflowNode, "sflow", SFLOW)) {
                sflow = parsed(sflowNode, "sflow.listen", "listen", sflow, ListenAddress::parse);
            }
            ApiSection api = ApiSection.read(this, root.get("api"), "api", d.api());
            Path stateDir = Path.of(string(root, "state_dir", d.stateDir().toString()));
            Map<InetAddress, String> agents = agents(root.get("sflow_agents"));
            DetectorConfig detector = DetectorSection.read(this, root.get("detector"), "detector", d.detector());
            Duration ttl = duration(root, "leader_ttl", "leader_ttl", d.leaderTtl());
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0
                    || ttl.compareTo(Duration.ofSeconds(60)) > 0
                    || ttl.toMillis() % 1000 != 0) {
                problem("leader_ttl", "must be whole seconds in 1s..60s, not " + ttl.toMillis() + " ms");
            }
            Duration grace = duration(root, "object_grace", "object_grace", d.objectGrace());
            GuardSettings guard = GuardSection.read(this, root.get("guard"), "guard", d.guard());
            NotificationsConfig notifications =
                    NotificationsSection.read(this, root.get("notifications"), "notifications");
            Optional<UpstreamConfig> upstream = Optional.empty();
            JsonNode upstreamNode = root.get("upstream");
            if (upstreamNode != null && !upstreamNode.isNull()) {
                upstream = Optional.ofNullable(UpstreamConfigLoader.read(upstreamNode, "upstream", problems()));
            }
            Optional<Path> signingKey = d.signingKey();
            JsonNode signing = root.get("signing");
            if (signing != null && mapping(signing, "signing", SIGNING)) {
                signingKey = Optional.ofNullable(string(signing, "signing.key", "key", null))
                        .map(Path::of);
            }
            if (!problems().isEmpty()) {
                return d;
            }
            return new ControllerConfig(
                    name,
                    keys,
                    etcd,
                    sflow,
                    api,
                    stateDir,
                    agents,
                    detector,
                    ttl,
                    grace,
                    guard,
                    notifications,
                    upstream,
                    signingKey);
        }

        /** {@code sflow_agents: {"192.0.2.1": ams1, …}}: agent addresses (literals) to data centers. */
        private Map<InetAddress, String> agents(JsonNode node) {
            Map<InetAddress, String> agents = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return agents;
            }
            if (!node.isObject()) {
                problem(
                        "sflow_agents",
                        "must be a mapping of agent addresses to data centers, like {\"192.0.2.1\": ams1}");
                return agents;
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String path = "sflow_agents." + YamlTrees.keyName(e.getKey());
                var address = RegistrationJson.agentAddress(e.getKey());
                if (address.isEmpty()) {
                    problem(
                            path,
                            "'" + e.getKey() + "' is not an IP address (the agent address in the sFlow datagrams)");
                    continue;
                }
                JsonNode dc = e.getValue();
                if (dc == null || !dc.isValueNode() || !dc.asText().matches(DATACENTER)) {
                    problem(
                            path,
                            "'" + (dc == null ? "" : dc.asText()) + "' is not a data center name (" + DATACENTER + ")");
                    continue;
                }
                agents.put(address.get(), dc.asText());
            }
            return agents;
        }
    }
}

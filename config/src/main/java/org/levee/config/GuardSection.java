package org.levee.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.levee.rules.GuardSettings;
import org.levee.rules.ProtectedEndpoint;

/**
 * The {@code guard:} section of the agent's and the controller's configuration: which endpoints
 * no rule may cut off, and the share of legitimate traffic a rule may match
 * ({@link org.levee.rules.RuleGuard}). docs/configuration.md lists the keys with their defaults.
 *
 * <pre>
 * guard:
 *   protected: ["tcp 192.0.2.10:443", "udp [2001:db8::53]:53"]   # besides the defaults
 *   protect_defaults: true        # the API, etcd, TCP 22 on any address
 *   max_legitimate_share: 1%      # or 0.01
 * </pre>
 */
public final class GuardSection {
    private GuardSection() {}

    /** The keys of the section. */
    public static final Set<String> KEYS = Set.of("protected", "protect_defaults", "max_legitimate_share");

    /**
     * The guard's settings from {@code node} (the section, or null when absent) over {@code d};
     * problems go to {@code r} under {@code path} ({@code guard}).
     */
    public static GuardSettings read(ConfigReader r, JsonNode node, String path, GuardSettings d) {
        if (node == null || node.isNull() || !r.mapping(node, path, KEYS)) {
            return d;
        }
        List<ProtectedEndpoint> endpoints = new ArrayList<>(d.protectedEndpoints());
        JsonNode list = node.get("protected");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                r.problem(path + ".protected", "must be a list of endpoints ('tcp *:22', 'tcp 192.0.2.10:2379')");
            } else {
                endpoints.clear();
                for (int i = 0; i < list.size(); i++) {
                    JsonNode item = list.get(i);
                    try {
                        if (!item.isTextual()) {
                            throw new IllegalArgumentException(
                                    "must be a string like 'tcp 192.0.2.10:443', not " + item);
                        }
                        endpoints.add(ProtectedEndpoint.parse(item.asText()));
                    } catch (IllegalArgumentException e) {
                        r.problem(path + ".protected[" + i + "]", e.getMessage());
                    }
                }
            }
        }
        boolean defaults = r.bool(node, path + ".protect_defaults", "protect_defaults", d.protectDefaults());
        double share = r.parsed(
                node,
                path + ".max_legitimate_share",
                "max_legitimate_share",
                d.maxLegitimateShare(),
                GuardSection::share);
        return new GuardSettings(endpoints, defaults, share);
    }

    /**
     * The endpoints protected by default: the node's API (when it has one and its port is not 0), every etcd endpoint
     * ({@code http(s)://HOST:PORT}, port 2379 when none is given), and TCP 22 on any address.
     * An API or etcd host given by name, or a wildcard listening address, is protected on any
     * address (the guard does not resolve names).
     */
    public static List<ProtectedEndpoint> defaultEndpoints(
            java.util.Optional<java.net.InetSocketAddress> api, List<java.net.URI> etcd) {
        List<ProtectedEndpoint> out = new ArrayList<>();
        // Port 0 (any free port, in tests) is known only once bound, and nobody depends on reaching it.
        api.filter(a -> a.getPort() != 0)
                .ifPresent(a -> out.add(ProtectedEndpoint.tcp(a.getHostString(), a.getPort(), "API")));
        for (java.net.URI endpoint : etcd) {
            if (endpoint.getHost() != null) {
                out.add(ProtectedEndpoint.tcp(
                        endpoint.getHost(), endpoint.getPort() < 0 ? 2379 : endpoint.getPort(), "etcd"));
            }
        }
        out.add(ProtectedEndpoint.ssh());
        return List.copyOf(out);
    }

    /** {@code 0.01} or {@code 1%}: a share in 0..1. */
    static double share(String text) {
        String t = text.strip();
        double value;
        try {
            value = t.endsWith("%")
                    ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100
                    : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a share (0.01 or 1%)");
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("'" + text + "' is not a share in 0..1 (0 % .. 100 %)");
        }
        return value;
    }
}

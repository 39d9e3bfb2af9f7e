package org.levee.upstream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.levee.rules.IpAddress;
import org.levee.rules.Rule;
import org.levee.rules.UpstreamMode;
import org.levee.rules.YamlTrees;

/**
 * Reads the {@code upstream:} section of levee.yaml in the agent's configuration style: every
 * problem is collected before failing, one line each, named by its key path
 * ({@code upstream.neighbours[0].peer_as: must be …}), unknown keys included.
 */
public final class UpstreamConfigLoader {
    private UpstreamConfigLoader() {}

    private static final long MAX_AS = 4_294_967_295L;

    private static final Set<String> SECTION = Set.of(
            "speaker",
            "neighbours",
            "link_bps",
            "share",
            "automatic",
            "flowspec",
            "blackhole",
            "rules",
            "sync_interval");
    private static final Set<String> SPEAKER = Set.of("kind", "api", "command", "as", "router_id");
    private static final Set<String> NEIGHBOUR = Set.of("address", "as", "peer_as");
    private static final Set<String> FLOWSPEC = Set.of("ratelimit_packet_bytes", "ipv6_extension_headers");
    private static final Set<String> BLACKHOLE = Set.of("next_hop_ipv4", "next_hop_ipv6", "communities");

    /**
     * The {@code upstream} section of a whole levee.yaml text, or empty when it has none.
     *
     * @throws UpstreamConfigException listing every problem with its key path
     */
    public static Optional<UpstreamConfig> parse(String source, String yamlText) {
        JsonNode root;
        try {
            root = YamlTrees.readYaml(yamlText); // refuses aliases, keys given twice and second documents
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new UpstreamConfigException(
                    source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        if (root == null
                || !root.isObject()
                || !root.has("upstream")
                || root.get("upstream").isNull()) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        UpstreamConfig config = read(root.get("upstream"), "upstream", problems);
        if (!problems.isEmpty()) {
            throw new UpstreamConfigException(source, problems);
        }
        return Optional.of(config);
    }

    /**
     * Reads an {@code upstream} mapping found at {@code path} of a larger file, adding each problem
     * to {@code problems}; returns null when there were any.
     */
    public static UpstreamConfig read(JsonNode node, String path, List<String> problems) {
        Reader r = new Reader(problems);
        int before = problems.size();
        UpstreamConfig config = r.section(node, path);
        return problems.size() == before ? config : null;
    }

    private record Reader(List<String> problems) {

        UpstreamConfig section(JsonNode node, String path) {
            if (!mapping(node, path, SECTION)) {
                return null;
            }
            UpstreamConfig.Speaker speaker = speaker(node.get("speaker"), path + ".speaker");
            List<UpstreamConfig.Neighbour> neighbours = neighbours(
                    node.get("neighbours"),
                    path + ".neighbours",
                    node.path("speaker").path("as").asLong(0));
            long link =
                    node.has("link_bps") ? number(node.get("link_bps"), path + ".link_bps", 0, Long.MAX_VALUE, 0) : 0;
            double share = UpstreamConfig.DEFAULT_SHARE;
            JsonNode s = node.get("share");
            if (s != null) {
                if (!s.isNumber() || s.asDouble() <= 0 || s.asDouble() > 1) {
                    problem(path + ".share", "must be a number in (0, 1], not '" + s.asText() + "'");
                } else {
                    share = s.asDouble();
                }
            }
            List<UpstreamMode> automatic = List.of();
            JsonNode a = node.get("automatic");
            if (a != null) {
                automatic = automatic(a, path + ".automatic");
                if (!automatic.isEmpty() && link == 0) {
                    problem(path + ".automatic", "needs link_bps (the link's capacity in bits per second)");
                }
            }
            OptionalLong packetBytes = OptionalLong.empty();
            boolean widen = false;
            JsonNode fs = node.get("flowspec");
            if (fs != null && mapping(fs, path + ".flowspec", FLOWSPEC)) {
                if (fs.has("ratelimit_packet_bytes")) {
                    packetBytes = OptionalLong.of(number(
                            fs.get("ratelimit_packet_bytes"), path + ".flowspec.ratelimit_packet_bytes", 20, 65535, 0));
                }
                JsonNode eh = fs.get("ipv6_extension_headers");
                if (eh != null) {
                    if (eh.isTextual()
                            && (eh.asText().equals("refuse") || eh.asText().equals("widen"))) {
                        widen = eh.asText().equals("widen");
                    } else {
                        problem(
                                path + ".flowspec.ipv6_extension_headers",
                                "must be refuse or widen, not '" + eh.asText() + "'");
                    }
                }
            }
            Optional<IpAddress> nh4 = Optional.empty();
            Optional<IpAddress> nh6 = Optional.empty();
            List<Route.Community> communities = List.of(Route.Community.NO_EXPORT);
            JsonNode bh = node.get("blackhole");
            if (bh != null && mapping(bh, path + ".blackhole", BLACKHOLE)) {
                nh4 = Optional.ofNullable(address(bh.get("next_hop_ipv4"), path + ".blackhole.next_hop_ipv4", 4));
                nh6 = Optional.ofNullable(address(bh.get("next_hop_ipv6"), path + ".blackhole.next_hop_ipv6", 6));
                JsonNode cs = bh.get("communities");
                if (cs != null) {
                    List<Route.Community> list = new ArrayList<>();
                    if (!cs.isArray()) {
                        problem(path + ".blackhole.communities", "must be a list such as [no-export] or [65535:65281]");
                    } else {
                        for (int i = 0; i < cs.size(); i++) {
                            try {
                                list.add(Route.Community.parse(cs.get(i).asText()));
                            } catch (IllegalArgumentException e) {
                                problem(path + ".blackhole.communities[" + i + "]", e.getMessage());
                            }
                        }
                    }
                    communities = list;
                }
            }
            Map<String, UpstreamMode> rules = new LinkedHashMap<>();
            JsonNode rs = node.get("rules");
            if (rs != null) {
                if (!rs.isObject()) {
                    problem(path + ".rules", "must be a mapping of rule id to flowspec or blackhole");
                } else {
                    for (Map.Entry<String, JsonNode> e : rs.properties()) {
                        try {
                            Rule.requireValidId(e.getKey());
                        } catch (IllegalArgumentException ex) {
                            problem(path + ".rules." + YamlTrees.keyName(e.getKey()), ex.getMessage());
                            continue;
                        }
                        UpstreamMode m = mode(e.getValue(), path + ".rules." + e.getKey(), "flowspec or blackhole");
                        if (m != null) {
                            rules.put(e.getKey(), m);
                        }
                    }
                }
            }
            Duration sync = UpstreamConfig.DEFAULT_SYNC_INTERVAL;
            JsonNode si = node.get("sync_interval");
            if (si != null) {
                sync = duration(si, path + ".sync_interval", sync);
            }
            if (speaker == null || neighbours == null) {
                return null;
            }
            return new UpstreamConfig(
                    speaker,
                    neighbours,
                    link,
                    share,
                    automatic,
                    packetBytes,
                    widen,
                    nh4,
                    nh6,
                    communities,
                    rules,
                    sync);
        }

        UpstreamConfig.Speaker speaker(JsonNode node, String path) {
            if (node == null) {
                problem(path, "is missing (kind, api, as, router_id)");
                return null;
            }
            if (!mapping(node, path, SPEAKER)) {
                return null;
            }
            JsonNode kind = node.get("kind");
            if (kind == null || !kind.asText().equals("gobgp")) {
                problem(
                        path + ".kind",
                        kind != null && kind.asText().equals("exabgp")
                                ? "exabgp is not supported: Levee drives gobgpd, whose routes it can read back (docs/operations.md says why)"
                                : "must be gobgp");
            }
            String api = node.has("api") ? node.get("api").asText() : "127.0.0.1:50051";
            if (!api.matches("unix://.+|[^\\s]+:[0-9]{1,5}")) {
                problem(path + ".api", "must be unix:///path/to/socket or host:port, not '" + api + "'");
            }
            List<String> command = List.of("gobgp");
            JsonNode c = node.get("command");
            if (c != null) {
                if (!c.isArray() || c.isEmpty()) {
                    problem(path + ".command", "must be a non-empty list of words, such as [gobgp]");
                } else {
                    List<String> words = new ArrayList<>();
                    c.forEach(w -> words.add(w.asText()));
                    command = words;
                }
            }
            long as = node.has("as") ? number(node.get("as"), path + ".as", 1, MAX_AS, 0) : 0;
            if (!node.has("as")) {
                problem(path + ".as", "is missing (the speaker's AS number)");
            }
            IpAddress routerId = address(node.get("router_id"), path + ".router_id", 4);
            if (!node.has("router_id")) {
                problem(path + ".router_id", "is missing (an IPv4 address identifying the speaker)");
            }
            return as == 0 || routerId == null ? null : new UpstreamConfig.Speaker(api, command, as, routerId);
        }

        List<UpstreamConfig.Neighbour> neighbours(JsonNode node, String path, long speakerAs) {
            if (node == null || !node.isArray() || node.isEmpty()) {
                problem(path, "must list at least one neighbour (address, as, peer_as)");
                return null;
            }
            List<UpstreamConfig.Neighbour> out = new ArrayList<>();
            Set<IpAddress> seen = new java.util.HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                String p = path + "[" + i + "]";
                JsonNode n = node.get(i);
                if (!mapping(n, p, NEIGHBOUR)) {
                    continue;
                }
                IpAddress address = address(n.get("address"), p + ".address", 0);
                if (!n.has("address")) {
                    problem(p + ".address", "is missing");
                }
                long as = n.has("as") ? number(n.get("as"), p + ".as", 1, MAX_AS, 0) : speakerAs;
                if (speakerAs != 0 && as != 0 && as != speakerAs) {
                    problem(p + ".as", as + " differs from speaker.as " + speakerAs + " (one speaker has one AS)");
                }
                long peer = n.has("peer_as") ? number(n.get("peer_as"), p + ".peer_as", 1, MAX_AS, 0) : 0;
                if (!n.has("peer_as")) {
                    problem(p + ".peer_as", "is missing (the neighbour's AS number)");
                }
                if (address != null && !seen.add(address)) {
                    problem(p + ".address", address + " is listed twice");
                }
                if (address != null && as != 0 && peer != 0) {
                    out.add(new UpstreamConfig.Neighbour(address, as, peer));
                }
            }
            return out;
        }

        /**
         * {@code none}, one mode, or modes in order of preference ({@code [flowspec, blackhole]}:
         * a blackhole when FlowSpec cannot express the rule).
         */
        List<UpstreamMode> automatic(JsonNode node, String path) {
            String accepted = "flowspec, blackhole, none or a list such as [flowspec, blackhole]";
            if (node.isTextual() && node.asText().equals("none")) {
                return List.of();
            }
            if (!node.isArray()) {
                UpstreamMode m = mode(node, path, accepted);
                return m == null ? List.of() : List.of(m);
            }
            List<UpstreamMode> modes = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                UpstreamMode m = mode(node.get(i), path + "[" + i + "]", "flowspec or blackhole");
                if (m != null && modes.contains(m)) {
                    problem(path + "[" + i + "]", m.keyword() + " is listed twice");
                } else if (m != null) {
                    modes.add(m);
                }
            }
            if (node.isEmpty()) {
                problem(path, "must not be an empty list (write none)");
            }
            return modes;
        }

        UpstreamMode mode(JsonNode node, String path, String accepted) {
            if (node.isTextual()) {
                try {
                    return UpstreamMode.parse(node.asText());
                } catch (IllegalArgumentException e) {
                    // fall through to the problem below
                }
            }
            problem(path, "must be " + accepted + ", not '" + node.asText() + "'");
            return null;
        }

        IpAddress address(JsonNode node, String path, int version) {
            if (node == null || node.isNull()) {
                return null;
            }
            try {
                IpAddress a = IpAddress.parse(node.asText());
                if (version != 0 && a.version() != version) {
                    problem(path, "'" + node.asText() + "' is not an IPv" + version + " address");
                    return null;
                }
                return a;
            } catch (IllegalArgumentException e) {
                problem(path, "'" + node.asText() + "' is not an IP address");
                return null;
            }
        }

        long number(JsonNode node, String path, long min, long max, long d) {
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
                problem(path, "must be a whole number in " + min + ".." + max + ", not '" + node.asText() + "'");
                return d;
            }
            return node.asLong();
        }

        Duration duration(JsonNode node, String path, Duration d) {
            String t = node.asText().strip();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m)").matcher(t);
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                problem(path, "must be a positive duration such as 500ms, 10s or 1m, not '" + t + "'");
                return d;
            }
            long v = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(v);
                case "s" -> Duration.ofSeconds(v);
                default -> Duration.ofMinutes(v);
            };
        }

        boolean mapping(JsonNode node, String path, Set<String> allowed) {
            if (node == null || !node.isObject()) {
                problem(path, "must be a mapping of keys");
                return false;
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!allowed.contains(key)) {
                    problem(
                            path + "." + YamlTrees.keyName(key),
                            "unknown key (known here: " + String.join(", ", new TreeSet<>(allowed)) + ")");
                }
            }
            return true;
        }

        void problem(String path, String what) {
            problems.add(path + ": " + what);
        }
    }
}

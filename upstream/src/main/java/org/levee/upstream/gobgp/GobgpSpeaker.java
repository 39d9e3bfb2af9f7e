package org.levee.upstream.gobgp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.levee.rules.IpAddress;
import org.levee.rules.Prefix;
import org.levee.upstream.BgpSpeaker;
import org.levee.upstream.ComponentType;
import org.levee.upstream.FlowSpecAction;
import org.levee.upstream.FlowSpecComponent;
import org.levee.upstream.FlowSpecNlri;
import org.levee.upstream.FlowSpecText;
import org.levee.upstream.Route;
import org.levee.upstream.SpeakerException;
import org.levee.upstream.UpstreamConfig;

/**
 * GoBGP's {@code gobgpd} driven through its command line client {@code gobgp} (same package,
 * Debian {@code gobgpd}): commands add and delete routes in the speaker's global table, and the
 * table is read back as JSON ({@code gobgp -j global rib -a FAMILY}) and parsed into {@link Route}s,
 * so that the announcer compares with what the speaker really announces. Levee configures the
 * speaker itself (AS, router id, neighbours with the four address families), so a gobgpd that
 * restarted with no configuration is brought back by the next synchronisation.
 *
 * <p>Routes Levee owns: every path it added to the global table of the two FlowSpec families, and
 * the unicast paths carrying BLACKHOLE. Paths received from neighbours are never touched.
 */
public final class GobgpSpeaker implements BgpSpeaker {

    /** The families Levee announces in, as gobgp names them. */
    public static final List<String> FAMILIES = List.of("ipv4-flowspec", "ipv6-flowspec", "ipv4", "ipv6");

    private static final String NEIGHBOUR_FAMILIES = "ipv4-flowspec,ipv6-flowspec,ipv4-unicast,ipv6-unicast";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRAFFIC_RATE_TYPE = 0x80;
    private static final int TRAFFIC_RATE_SUBTYPE = 0x06;

    private final UpstreamConfig.Speaker speaker;
    private final List<UpstreamConfig.Neighbour> neighbours;

    public GobgpSpeaker(UpstreamConfig.Speaker speaker, List<UpstreamConfig.Neighbour> neighbours) {
        this.speaker = Objects.requireNonNull(speaker, "speaker");
        this.neighbours = List.copyOf(neighbours);
    }

    /** The speaker of a configuration. */
    public static GobgpSpeaker of(UpstreamConfig config) {
        return new GobgpSpeaker(config.speaker(), config.neighbours());
    }

    @Override
    public void configure() {
        JsonNode global = json(List.of("global"));
        if (!global.has("asn") || global.get("asn").asLong() == 0) {
            run(List.of(
                    "global",
                    "as",
                    Long.toString(speaker.as()),
                    "router-id",
                    speaker.routerId().toString()));
        } else if (global.get("asn").asLong() != speaker.as()) {
            throw new SpeakerException(
                    "the speaker's AS is " + global.get("asn").asLong() + " but upstream.speaker.as is " + speaker.as()
                            + "; restart gobgpd without that configuration or change upstream.speaker.as");
        }
        Map<String, Long> peers = new LinkedHashMap<>();
        for (JsonNode n : json(List.of("neighbor"))) {
            JsonNode conf = n.path("conf");
            peers.put(
                    conf.path("neighbor_address").asText(),
                    conf.path("peer_asn").asLong());
        }
        for (UpstreamConfig.Neighbour n : neighbours) {
            String address = n.address().toString();
            Long peerAs = peers.get(address);
            if (peerAs != null && peerAs == n.peerAs()) {
                continue;
            }
            if (peerAs != null) {
                run(List.of("neighbor", "del", address));
            }
            run(List.of("neighbor", "add", address, "as", Long.toString(n.peerAs()), "family", NEIGHBOUR_FAMILIES));
        }
    }

    @Override
    public Map<String, String> sessions() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode n : json(List.of("neighbor"))) {
            int state = n.path("state").path("session_state").asInt();
            out.put(
                    n.path("conf").path("neighbor_address").asText(),
                    switch (state) {
                        case 1 -> "idle";
                        case 2 -> "connect";
                        case 3 -> "active";
                        case 4 -> "opensent";
                        case 5 -> "openconfirm";
                        case 6 -> "established";
                        default -> "unknown";
                    });
        }
        return out;
    }

    @Override
    public Set<Route> announced() {
        Set<Route> out = new LinkedHashSet<>();
        for (String family : FAMILIES) {
            out.addAll(parseRib(family, json(List.of("global", "rib", "-a", family))));
        }
        return out;
    }

    @Override
    public void announce(Route route) {
        run(arguments(route, true));
    }

    @Override
    public void withdraw(Route route) {
        run(arguments(route, false));
    }

    /** The gobgp arguments announcing ({@code add}) or withdrawing ({@code del}) {@code route}. */
    static List<String> arguments(Route route, boolean add) {
        List<String> args =
                new ArrayList<>(List.of("global", "rib", "-a", gobgpFamily(route.family()), add ? "add" : "del"));
        switch (route) {
            case Route.FlowSpec f -> {
                args.add("match");
                args.add("destination");
                args.add(f.nlri().destination().toString());
                for (FlowSpecComponent c : f.nlri().components()) {
                    args.add(c.type().gobgpName());
                    args.add(FlowSpecText.terms(c));
                }
                if (add) {
                    args.add("then");
                    switch (f.action()) {
                        case FlowSpecAction.Discard d -> args.add("discard");
                        case FlowSpecAction.TrafficRate r -> {
                            args.add("rate-limit");
                            args.add(Float.toString(r.bytesPerSecond()));
                        }
                    }
                }
            }
            case Route.Blackhole b -> {
                args.add(b.host().toString());
                if (add) {
                    b.nextHop().ifPresent(n -> {
                        args.add("nexthop");
                        args.add(n.toString());
                    });
                    args.add("community");
                    args.add(String.join(
                            ",",
                            b.communities().stream()
                                    .map(Route.Community::toString)
                                    .toList()));
                }
            }
        }
        return args;
    }

    private static String gobgpFamily(String family) {
        return switch (family) {
            case "ipv4-unicast" -> "ipv4";
            case "ipv6-unicast" -> "ipv6";
            default -> family;
        };
    }

    /**
     * The routes Levee owns in one family's table as gobgp prints it with {@code -j}: an object
     * from NLRI text to a list of paths, each with {@code nlri}, {@code attrs} and, for a path
     * received from a neighbour, {@code neighbor-ip}.
     *
     * @throws SpeakerException naming the path it cannot read
     */
    static List<Route> parseRib(String family, JsonNode table) {
        return parseRib(family, table, false);
    }

    /**
     * Like {@link #parseRib(String, JsonNode)}, but the paths received from neighbours when
     * {@code received} (how an upstream router's table is read in tests and by hand), else the
     * speaker's own.
     */
    public static List<Route> parseRib(String family, JsonNode table, boolean received) {
        List<Route> out = new ArrayList<>();
        if (table == null || table.isNull() || table.isMissingNode()) {
            return out;
        }
        if (!table.isObject()) {
            throw new SpeakerException("gobgp's " + family + " table is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> entry : table.properties()) {
            for (JsonNode path : entry.getValue()) {
                if (local(path) == received) {
                    continue;
                }
                try {
                    Route r = family.endsWith("flowspec") ? flowSpec(family, path) : blackhole(path);
                    if (r != null) {
                        out.add(r);
                    }
                } catch (RuntimeException e) {
                    throw new SpeakerException(
                            "cannot read gobgp's " + family + " path " + entry.getKey() + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private static boolean local(JsonNode path) {
        String neighbour = path.path("neighbor-ip").asText("");
        return neighbour.isEmpty() || neighbour.equals("<nil>");
    }

    private static Route flowSpec(String family, JsonNode path) {
        Prefix destination = null;
        List<FlowSpecComponent> components = new ArrayList<>();
        for (JsonNode item : path.path("nlri").path("value")) {
            int code = item.path("type").asInt();
            if (code == 1) {
                destination = Prefix.parse(item.path("value").path("prefix").asText());
                if (item.path("offset").asInt(0) != 0) {
                    throw new IllegalArgumentException(
                            "destination offset " + item.path("offset").asInt() + " is not 0");
                }
                continue;
            }
            ComponentType type = ComponentType.ofCode(code);
            if (type == null) {
                throw new IllegalArgumentException("component type " + code + " is not one Levee announces");
            }
            components.add(component(type, item.path("value")));
        }
        if (destination == null) {
            throw new IllegalArgumentException("no destination prefix");
        }
        int version = family.startsWith("ipv4") ? 4 : 6;
        if (destination.network().version() != version) {
            throw new IllegalArgumentException("destination " + destination + " in family " + family);
        }
        FlowSpecAction action = null;
        for (JsonNode attr : path.path("attrs")) {
            if (attr.path("type").asInt() != 16) {
                continue;
            }
            for (JsonNode community : attr.path("value")) {
                if (community.path("type").asInt() == TRAFFIC_RATE_TYPE
                        && community.path("subtype").asInt() == TRAFFIC_RATE_SUBTYPE) {
                    float rate = (float) community.path("rate").asDouble();
                    action = rate == 0 ? new FlowSpecAction.Discard() : new FlowSpecAction.TrafficRate(rate);
                }
            }
        }
        if (action == null) {
            throw new IllegalArgumentException("no traffic-rate action");
        }
        return new Route.FlowSpec(new FlowSpecNlri(destination, components), action);
    }

    private static FlowSpecComponent component(ComponentType type, JsonNode terms) {
        if (!terms.isArray() || terms.isEmpty()) {
            throw new IllegalArgumentException(type + " has no terms");
        }
        if (type.bitmask()) {
            List<FlowSpecComponent.BitmaskTerm> list = new ArrayList<>();
            for (JsonNode t : terms) {
                int op = t.path("op").asInt();
                list.add(new FlowSpecComponent.BitmaskTerm(
                        !list.isEmpty() && (op & 0x40) != 0,
                        (op & 0x02) != 0,
                        (op & 0x01) != 0,
                        t.path("value").asInt()));
            }
            return new FlowSpecComponent.Bitmask(type, list);
        }
        List<FlowSpecComponent.NumericTerm> list = new ArrayList<>();
        for (JsonNode t : terms) {
            int op = t.path("op").asInt();
            list.add(new FlowSpecComponent.NumericTerm(
                    !list.isEmpty() && (op & 0x40) != 0,
                    (op & 0x04) != 0,
                    (op & 0x02) != 0,
                    (op & 0x01) != 0,
                    t.path("value").asLong()));
        }
        return new FlowSpecComponent.Numeric(type, list);
    }

    /** A unicast path as a blackhole route, or null when it does not carry BLACKHOLE (not Levee's). */
    private static Route blackhole(JsonNode path) {
        List<Route.Community> communities = new ArrayList<>();
        Optional<IpAddress> nextHop = Optional.empty();
        for (JsonNode attr : path.path("attrs")) {
            switch (attr.path("type").asInt()) {
                case 8 -> attr.path("communities").forEach(c -> communities.add(Route.Community.ofWire(c.asLong())));
                case 3, 14 -> {
                    String nh = attr.path("nexthop").asText("");
                    if (!nh.isEmpty() && !nh.equals("0.0.0.0") && !nh.equals("::")) {
                        nextHop = Optional.of(IpAddress.parse(nh));
                    }
                }
                default -> {}
            }
        }
        if (!communities.contains(Route.Community.BLACKHOLE)) {
            return null;
        }
        Prefix prefix = Prefix.parse(path.path("nlri").path("prefix").asText());
        return new Route.Blackhole(prefix, nextHop, communities);
    }

    private JsonNode json(List<String> args) {
        List<String> full = new ArrayList<>();
        full.add("-j");
        full.addAll(args);
        String out = run(full);
        try {
            return out.isBlank() ? JSON.nullNode() : JSON.readTree(out);
        } catch (IOException e) {
            throw new SpeakerException(
                    "gobgp " + String.join(" ", args) + " printed something that is not JSON: "
                            + out.substring(0, Math.min(200, out.length())),
                    e);
        }
    }

    /** Runs the client with {@code args}; its standard output, or an exception with what it said. */
    private String run(List<String> args) {
        List<String> command = new ArrayList<>(speaker.command());
        if (speaker.api().startsWith("unix://")) {
            command.add("--target");
            command.add(speaker.api());
        } else {
            int colon = speaker.api().lastIndexOf(':');
            command.add("-u");
            command.add(speaker.api().substring(0, colon).replace("[", "").replace("]", ""));
            command.add("-p");
            command.add(speaker.api().substring(colon + 1));
        }
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new SpeakerException(
                    "cannot run " + command.getFirst() + " (Debian package gobgpd): " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = read(p.getInputStream());
        CompletableFuture<String> stderr = read(p.getErrorStream());
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SpeakerException(
                        String.join(" ", command) + ": no answer within " + TIMEOUT.toSeconds() + " s");
            }
            String err = stderr.get().strip();
            if (p.exitValue() != 0 || !err.isEmpty() && err.startsWith("rpc error")) {
                throw new SpeakerException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + (err.isEmpty() ? stdout.get().strip() : err));
            }
            return stdout.get();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SpeakerException("interrupted while waiting for gobgp", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SpeakerException("cannot read gobgp's output", e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}

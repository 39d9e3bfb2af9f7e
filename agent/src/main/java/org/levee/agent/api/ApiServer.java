package org.levee.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.levee.agent.detect.ActiveAttack;
import org.levee.agent.metrics.AgentMetrics;
import org.levee.agent.rules.AgentJson;
import org.levee.agent.rules.DuplicateRuleException;
import org.levee.agent.rules.RuleBook;
import org.levee.config.ApiException;
import org.levee.config.ApiSecurity;
import org.levee.config.JsonApi;
import org.levee.dataplane.AttachedProgram;
import org.levee.dataplane.Counters;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.object.RuleInfo;
import org.levee.rules.Action;
import org.levee.rules.Origin;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.upstream.UpstreamJson;
import org.levee.upstream.UpstreamKeeper;
import org.levee.web.TrafficCounts;
import org.levee.web.TrafficHistory;
import org.levee.web.TrafficRecorder;
import org.levee.web.WebRoutes;

/**
 * The node's HTTP API (JSON), on the JDK's own HTTP server:
 * {@code GET /rules}, {@code POST /rules}, {@code GET /rules/{id}}, {@code DELETE /rules/{id}},
 * {@code GET /status}, {@code GET /metrics}, and the live page: {@code GET /} (HTML) with the
 * traffic history it draws, {@code GET /traffic} (module web; docs/operations.md, "The live web
 * page"). docs/agent.md has examples of every route. A bad
 * request gets 400 and {@code {"error": "<field>: <what is wrong>"}}. Every request but a
 * {@code GET} on loopback needs the bearer token ({@link ApiSecurity}): without it, 401, a
 * {@code WWW-Authenticate: Bearer} challenge, and nothing read or changed. With TLS configured it
 * is an HTTPS server. An adapter only: the rule
 * book decides what a request does, the node says what its status is, the metrics write
 * themselves. On an edge of the fleet the rule book holds the edge's local rules, and the
 * fleet's rules are shown beside them, read-only (they change through the controllers).
 */
public final class ApiServer {

    private final RuleBook rules;
    private final Supplier<Counters> counters;
    private final Supplier<NodeStatus> status;
    private final AgentMetrics metrics;
    private final Supplier<Optional<FleetView>> fleet;
    private final ApiSecurity security;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final TrafficHistory traffic = new TrafficHistory();
    private final TrafficRecorder trafficRecorder;
    private final WebRoutes web;
    private volatile Optional<UpstreamKeeper> upstream = Optional.empty();

    /**
     * @param rules    the node's rules
     * @param counters the data plane's counters, for the rules' packets and bytes
     * @param status   the node's status now
     * @param metrics  what {@code /metrics} serves
     * @param security where to listen (port 0: any free port), TLS, and who may write
     * @throws IOException when the address cannot be bound
     */
    public ApiServer(
            RuleBook rules,
            Supplier<Counters> counters,
            Supplier<NodeStatus> status,
            AgentMetrics metrics,
            ApiSecurity security)
            throws IOException {
        this(rules, counters, status, metrics, security, Optional::empty);
    }

    /**
     * The API of an edge of the fleet: {@code rules} are its local rules, {@code fleet} says what
     * it runs of the fleet's.
     */
    public ApiServer(
            RuleBook rules,
            Supplier<Counters> counters,
            Supplier<NodeStatus> status,
            AgentMetrics metrics,
            ApiSecurity security,
            Supplier<Optional<FleetView>> fleet)
            throws IOException {
        this.fleet = fleet;
        this.security = security;
        this.rules = rules;
        this.counters = counters;
        this.status = status;
        this.metrics = metrics;
        this.trafficRecorder = TrafficRecorder.ofCounters(traffic, () -> {
            Counters c = counters.get();
            return new TrafficCounts(c.seen(), c.passed(), c.dropped(), c.ratelimited(), c.sampled());
        });
        this.web = new WebRoutes(traffic, "this node's XDP program");
        this.server = security.bind();
        server.setExecutor(executor);
        server.createContext("/", JsonApi.handler(security, AgentJson.MAPPER, this::route, e -> Optional.empty()));
    }

    /**
     * Shows what {@code keeper} does with the rules: {@code upstream_status} beside each rule that
     * goes upstream and {@code upstream} in {@code GET /status}. Called before {@link #start}.
     */
    public void showUpstream(UpstreamKeeper keeper) {
        upstream = Optional.of(keeper);
    }

    /** Starts serving, and the traffic history of the live page (a point a second). */
    public void start() {
        trafficRecorder.start();
        server.start();
    }

    public void stop() {
        server.stop(0);
        trafficRecorder.close();
        executor.shutdownNow();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return security.scheme();
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (WebRoutes.serves(path)) {
            requireGet(method, path);
            web.serve(exchange, path);
            return;
        }
        switch (path) {
            case "/rules" -> {
                switch (method) {
                    case "GET" -> json(exchange, 200, rules());
                    case "POST" -> json(exchange, 201, add(JsonApi.ruleRequest(JsonApi.body(exchange))));
                    default -> throw notAllowed(method, path, "GET, POST");
                }
            }
            case "/status" -> {
                requireGet(method, path);
                json(exchange, 200, status());
            }
            case "/metrics" -> {
                requireGet(method, path);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.write(out);
                JsonApi.send(exchange, 200, metrics.contentType(), out.toByteArray());
            }
            default -> {
                if (!path.startsWith("/rules/")) {
                    throw new ApiException(
                            404,
                            "no such route: " + path
                                    + " (routes: /, /traffic, /rules, /rules/{id}, /status, /metrics)");
                }
                String id = JsonApi.ruleId(path);
                Optional<FleetView.FleetRule> fleetRule = fleet.get().flatMap(f -> f.rule(id));
                switch (method) {
                    case "GET" -> {
                        Optional<StoredRule> local = rules.get(id);
                        if (local.isEmpty() && fleetRule.isPresent()) {
                            json(exchange, 200, fleetView(fleetRule.get(), counters.get()));
                        } else {
                            json(
                                    exchange,
                                    200,
                                    view(local.orElseThrow(
                                            () -> new ApiException(404, "no rule with id '" + id + "'"))));
                        }
                    }
                    case "DELETE" -> {
                        if (rules.get(id).isEmpty() && fleetRule.isPresent()) {
                            throw readOnly(id);
                        }
                        if (!rules.remove(id)) {
                            throw new ApiException(404, "no rule with id '" + id + "'");
                        }
                        ObjectNode done = JsonNodeFactory.instance.objectNode();
                        done.put("deleted", id);
                        json(exchange, 200, done);
                    }
                    default -> throw notAllowed(method, path, "GET, DELETE");
                }
            }
        }
    }

    private static void requireGet(String method, String path) {
        if (!method.equals("GET")) {
            throw notAllowed(method, path, "GET");
        }
    }

    private static ApiException notAllowed(String method, String path, String allowed) {
        return new ApiException(405, method + " is not allowed on " + path + " (allowed: " + allowed + ")");
    }

    private ObjectNode rules() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", rules.version());
        ArrayNode list = root.putArray("rules");
        Counters now = counters.get();
        for (StoredRule r : rules.list()) {
            list.add(view(r, now));
        }
        fleet.get().ifPresent(f -> {
            ObjectNode node = root.putObject("fleet");
            fleetHeader(node, f);
            ArrayNode fleetRules = node.putArray("rules");
            f.rules().forEach(r -> fleetRules.add(fleetView(r, now)));
        });
        return root;
    }

    private static ApiException readOnly(String id) {
        return new ApiException(
                409,
                "rule '" + id + "' is one of the fleet's rules, read-only on an edge:"
                        + " change it through the controller (or its key under rules/ in etcd)");
    }

    /** The version, origin and object of the fleet's rule set. */
    private static void fleetHeader(ObjectNode node, FleetView f) {
        if (f.version().isPresent()) {
            node.put("version", f.version().getAsLong());
        } else {
            node.putNull("version");
        }
        node.put("origin", f.origin());
        node.put("object_sha256", f.objectSha256().orElse(null));
        node.put("program_id", f.programId());
        node.put("applied", f.applied().map(Instant::toString).orElse(null));
    }

    /**
     * A rule of the fleet's set as the object's metadata has it, in the fields of a rule file
     * where they exist, marked read-only, with whether it is enabled here and its counters.
     */
    private static ObjectNode fleetView(FleetView.FleetRule fleetRule, Counters counters) {
        RuleInfo r = fleetRule.rule();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", r.id());
        int colon = r.match().indexOf(": ");
        String field = colon < 0 ? "match" : r.match().substring(0, colon);
        String text = colon < 0 ? r.match() : r.match().substring(colon + 2);
        if (field.equals("dns")) {
            boolean ignoreCase = text.endsWith(" (ignoring case)");
            ArrayNode patterns = n.putArray("dns");
            for (String p : text.replace(" (ignoring case)", "").split(" ")) {
                patterns.add(p);
            }
            n.put("dns_ignore_case", ignoreCase);
        } else {
            n.put(field, text);
        }
        ArrayNode destinations = n.putArray("destinations");
        r.destinations().forEach(p -> destinations.add(p.toString()));
        ArrayNode datacenters = n.putArray("datacenters");
        r.datacenters().forEach(datacenters::add);
        n.put("action", r.action().keyword());
        if (r.action() instanceof Action.RateLimit limit) {
            n.put("pps", limit.pps());
            n.put("burst", limit.burst());
        }
        n.put("expires", r.expires().map(Instant::toString).orElse(null));
        n.put("comment", r.comment());
        n.put("origin", r.origin().keyword());
        n.put("stage", "fleet");
        n.put("read_only", true);
        n.put("enabled", fleetRule.enabled());
        Counters.RuleCounters c = counters.rule(r.id());
        n.put("packets", c.packets());
        n.put("bytes", c.bytes());
        return n;
    }

    private ObjectNode view(StoredRule r) {
        return view(r, counters.get());
    }

    /**
     * A rule as stored (the fields of rule files, when it was added, its evidence), plus its
     * counters and, when it goes upstream, {@code upstream_status} (announced, or refused and why).
     */
    private ObjectNode view(StoredRule r, Counters counters) {
        ObjectNode n = StoredRuleCodec.write(r);
        Counters.RuleCounters c = counters.rule(r.id());
        n.put("packets", c.packets());
        n.put("bytes", c.bytes());
        Optional<UpstreamKeeper> keeper = upstream;
        if (keeper.isPresent()) {
            keeper.get().state(r).ifPresent(state -> n.set("upstream_status", UpstreamJson.rule(state)));
        } else {
            r.rule().upstream().ifPresent(mode -> n.set("upstream_status", UpstreamJson.notConfigured(mode)));
        }
        return n;
    }

    /** Adds a manual rule: {@link RuleBook#addManual} says which fields it takes. */
    private ObjectNode add(ObjectNode body) {
        JsonNode id = body.get("id");
        if (id != null
                && id.isTextual()
                && fleet.get().flatMap(f -> f.rule(id.asText())).isPresent()) {
            throw new ApiException(
                    409,
                    "id: '" + id.asText() + "' is taken by one of the fleet's rules"
                            + " (a local rule needs an id of its own: rules are counted by id)");
        }
        try {
            return view(rules.addManual(body));
        } catch (RuleSetException e) {
            throw new ApiException(400, e.problems());
        } catch (DuplicateRuleException e) {
            throw new ApiException(409, e.getMessage());
        } catch (IllegalArgumentException | DataplaneException e) {
            // The data plane refused the rule set (e.g. the verifier): the rule is not added.
            throw new ApiException(400, "rule: " + e.getMessage());
        }
    }

    private ObjectNode status() {
        NodeStatus now = status.get();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        AttachedProgram a = now.attachment();
        n.put("interface", a.iface());
        n.put("netns", a.netns());
        n.put("ifindex", a.ifindex());
        n.put("program_id", a.programId());
        n.put("rule_set_version", now.ruleSetVersion());
        n.put("adopted", a.adopted());
        n.put("datacenter", now.datacenter());
        n.put("node", now.node());
        n.put("started", now.started().toString());
        n.put("sample_rate", now.sampleRate());
        ObjectNode sampling = n.putObject("sampling");
        if (now.sampling().isFixed()) {
            sampling.put("mode", "fixed");
            sampling.put("rate", now.sampling().fixedRate());
        } else {
            sampling.put("mode", "target");
            sampling.put("target_per_second", now.sampling().targetPerSecond());
        }
        Counters c = now.counters();
        ObjectNode counterNode = n.putObject("counters");
        counterNode.put("seen", c.seen());
        counterNode.put("passed", c.passed());
        counterNode.put("dropped", c.dropped());
        counterNode.put("ratelimited", c.ratelimited());
        counterNode.put("sampled", c.sampled());
        counterNode.put("samples_lost", c.samplesLost());
        counterNode.put("samples_read", now.samplesRead());
        ObjectNode ruleCounts = n.putObject("rules");
        long auto = now.rules().stream()
                .filter(r -> r.rule().origin() == Origin.AUTO)
                .count();
        ruleCounts.put("total", now.rules().size());
        ruleCounts.put("manual", now.rules().size() - auto);
        ruleCounts.put("auto", auto);
        ArrayNode attacks = n.putArray("active_attacks");
        for (ActiveAttack attack : now.attacks()) {
            ObjectNode x = attacks.addObject();
            x.put("destination", attack.destination());
            x.put("class", attack.trafficClass());
            x.put("detected", attack.detected().toString());
            if (attack.ruleId().isPresent()) {
                x.put("rule", attack.ruleId().get());
            } else {
                x.putNull("rule");
            }
            x.set("evidence", StoredRuleCodec.evidenceJson(attack.evidence()));
        }
        upstream.ifPresent(keeper -> n.set("upstream", UpstreamJson.status(keeper.status())));
        fleet.get().ifPresent(f -> {
            n.put("mode", "edge");
            ArrayNode local = n.putArray("local_rules");
            now.rules().forEach(r -> local.add(r.id()));
            ObjectNode node = n.putObject("fleet");
            fleetHeader(node, f);
            node.put("rules", f.rules().size());
            node.put(
                    "enabled_here",
                    f.rules().stream().filter(FleetView.FleetRule::enabled).count());
            node.put("local_program_id", f.localProgramId());
            ObjectNode watch = node.putObject("watch");
            watch.put("connected", f.watch().connected());
            watch.put("revision", f.watch().revision());
            watch.put("reconnects", f.watch().reconnects());
            watch.put("last_error", f.watch().lastError().orElse(null));
            ObjectNode registration = node.putObject("registration");
            registration.put("key", f.registration().key());
            registration.put("registered", f.registration().registered());
            registration.put("last_error", f.registration().lastError().orElse(null));
            ObjectNode export = node.putObject("sflow");
            ArrayNode collectors = export.putArray("collectors");
            f.export().collectors().forEach(collectors::add);
            export.put("agent_address", f.export().agentAddress());
            export.put("datagrams", f.export().datagrams());
            export.put("samples", f.export().samples());
            export.put("bytes", f.export().bytes());
            export.put("send_errors", f.export().sendErrors());
            export.put("samples_dropped", f.export().samplesDropped());
            ObjectNode signing = node.putObject("signing");
            ArrayNode trusted = signing.putArray("trusted_keys");
            f.signing()
                    .trustedKeys()
                    .forEach(k -> trusted.addObject().put("key_id", k.id()).put("file", k.file()));
            signing.put("required", !f.signing().trustedKeys().isEmpty());
            signing.put("signed_by", f.signing().signedBy().orElse(null));
            if (f.lastRefused().isPresent()) {
                FleetView.Refused r = f.lastRefused().get();
                ObjectNode refused = node.putObject("last_refused");
                refused.put("reason", r.reason());
                if (r.version() == 0) {
                    refused.putNull("version");
                } else {
                    refused.put("version", r.version());
                }
                refused.put("revision", r.revision());
                refused.put("message", r.message());
                refused.put("at", r.at().toString());
            } else {
                node.putNull("last_refused");
            }
        });
        return n;
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        JsonApi.json(exchange, AgentJson.MAPPER, status, body);
    }
}

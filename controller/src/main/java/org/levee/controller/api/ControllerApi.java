package org.levee.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.levee.config.ApiException;
import org.levee.config.ApiSecurity;
import org.levee.config.JsonApi;
import org.levee.controller.fleet.FleetStatus;
import org.levee.controller.fleet.FleetStatusJson;
import org.levee.controller.metrics.ControllerMetrics;
import org.levee.controller.rules.RuleCatalog;
import org.levee.controller.rules.RuleOrder;
import org.levee.controller.rules.RuleSourceStore;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.etcd.StoreException;
import org.levee.upstream.UpstreamJson;
import org.levee.upstream.UpstreamKeeper;
import org.levee.web.TrafficHistory;
import org.levee.web.TrafficRates;
import org.levee.web.TrafficRecorder;
import org.levee.web.WebRoutes;

/**
 * The controller's HTTP API (JSON), on the JDK's HTTP server. The rules routes are the agent's —
 * {@code GET /rules}, {@code POST /rules}, {@code GET /rules/{id}}, {@code DELETE /rules/{id}},
 * the same bodies, answers and errors — so {@code levee rules … --api http://controller:9277}
 * works against it; they act on the rule sources in etcd. Further: {@code GET /fleet} (the
 * fleet's status, as {@code levee fleet status --json}), {@code GET /status} (this controller),
 * {@code GET /metrics} (Prometheus), and the live page: {@code GET /} (HTML) with the fleet's
 * traffic it draws, {@code GET /traffic} (module web; docs/operations.md, "The live web page").
 * A bad request gets 400 and
 * {@code {"error": "<field>: <what is wrong>"}}; etcd out of reach gets 503. Every request but a
 * {@code GET} on loopback needs the bearer token ({@link ApiSecurity}): without it, 401, a
 * {@code WWW-Authenticate: Bearer} challenge, and nothing read or changed. With TLS configured it
 * is an HTTPS server.
 */
public final class ControllerApi {

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final RuleSourceStore rules;
    private final Supplier<Map<String, RuleCounts>> counts;
    private final Supplier<Long> rulesetVersion;
    private final Supplier<FleetStatus> fleet;
    private final Supplier<ObjectNode> status;
    private final ControllerMetrics metrics;
    private final ApiSecurity security;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final TrafficHistory traffic = new TrafficHistory();
    private final TrafficRecorder trafficRecorder;
    private final WebRoutes web;
    private volatile Optional<UpstreamKeeper> upstream = Optional.empty();

    /**
     * @param rules the rule sources
     * @param counts the rules' counters from the edges' registrations
     * @param rulesetVersion the version of the rule set in force (0: none)
     * @param fleet the fleet's status now
     * @param status this controller's status now ({@code GET /status})
     * @param metrics what {@code /metrics} serves
     * @param edgeTraffic the edges' traffic now, summed ({@code /traffic} keeps it a point a second)
     * @param security where to listen (port 0: any free port), TLS, and who may write
     * @throws IOException when the address cannot be bound
     */
    public ControllerApi(
            RuleSourceStore rules,
            Supplier<Map<String, RuleCounts>> counts,
            Supplier<Long> rulesetVersion,
            Supplier<FleetStatus> fleet,
            Supplier<ObjectNode> status,
            ControllerMetrics metrics,
            Supplier<TrafficRates> edgeTraffic,
            ApiSecurity security)
            throws IOException {
        this.security = security;
        this.rules = rules;
        this.counts = counts;
        this.rulesetVersion = rulesetVersion;
        this.fleet = fleet;
        this.status = status;
        this.metrics = metrics;
        this.trafficRecorder = TrafficRecorder.ofRates(traffic, edgeTraffic);
        this.web = new WebRoutes(traffic, "the edges' reports, summed");
        this.server = security.bind();
        server.setExecutor(executor);
        server.createContext(
                "/",
                JsonApi.handler(
                        security,
                        JSON,
                        this::route,
                        e -> e instanceof StoreException s
                                ? Optional.of(new ApiException(503, "etcd: " + s.getMessage()))
                                : Optional.empty()));
    }

    /**
     * Shows {@code upstream_status} beside each rule that goes upstream (on a follower its phase
     * is {@code standby}). Called before {@link #start}.
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
                    case "GET" -> json(exchange, 200, list());
                    case "POST" -> json(exchange, 201, add(JsonApi.ruleRequest(JsonApi.body(exchange))));
                    default -> throw notAllowed(method, path, "GET, POST");
                }
            }
            case "/fleet" -> {
                requireGet(method, path);
                json(exchange, 200, FleetStatusJson.write(fleet.get()));
            }
            case "/status" -> {
                requireGet(method, path);
                json(exchange, 200, status.get());
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
                                    + " (routes: /, /traffic, /rules, /rules/{id}, /fleet, /status, /metrics)");
                }
                String id = JsonApi.ruleId(path);
                switch (method) {
                    case "GET" -> json(exchange, 200, one(id));
                    case "DELETE" -> {
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

    /** {@code {"version": digest, "ruleset_version": N, "rules": [...], "problems": [...]}}. */
    private ObjectNode list() {
        RuleCatalog.Sources sources = rules.read();
        var ordered = sources.rules().values().stream().sorted(RuleOrder.ORDER).toList();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put(
                "version",
                RuleCodec.version(ordered.stream().map(StoredRule::rule).toList()));
        root.put("ruleset_version", rulesetVersion.get());
        ArrayNode list = root.putArray("rules");
        Map<String, RuleCounts> now = counts.get();
        for (StoredRule r : ordered) {
            list.add(view(r, now.getOrDefault(r.id(), RuleCounts.ZERO)));
        }
        root.set("problems", org.levee.controller.rules.ProblemsJson.list(sources.problems()));
        return root;
    }

    private ObjectNode one(String id) {
        RuleSourceStore.Entry entry =
                rules.get(id).orElseThrow(() -> new ApiException(404, "no rule with id '" + id + "'"));
        if (entry.rule().isEmpty()) {
            throw new ApiException(
                    422,
                    "the source of rule '" + id + "' is not valid and is left out of the rule set: "
                            + entry.problem().map(p -> p.problem()).orElse("?"));
        }
        return view(entry.rule().get(), counts.get().getOrDefault(id, RuleCounts.ZERO));
    }

    /** A rule as stored, plus its counters over the edges and, when it goes upstream, {@code upstream_status}. */
    private ObjectNode view(StoredRule r, RuleCounts counts) {
        ObjectNode n = StoredRuleCodec.write(r);
        n.put("packets", counts.packets());
        n.put("bytes", counts.bytes());
        Optional<UpstreamKeeper> keeper = upstream;
        if (keeper.isPresent()) {
            keeper.get().state(r).ifPresent(state -> n.set("upstream_status", UpstreamJson.rule(state)));
        } else {
            r.rule().upstream().ifPresent(mode -> n.set("upstream_status", UpstreamJson.notConfigured(mode)));
        }
        return n;
    }

    private ObjectNode add(ObjectNode body) {
        try {
            return view(rules.add(body), RuleCounts.ZERO);
        } catch (RuleSetException e) {
            throw new ApiException(400, e.problems());
        } catch (RuleSourceStore.DuplicateRuleException e) {
            throw new ApiException(409, e.getMessage());
        }
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        JsonApi.json(exchange, JSON, status, body);
    }
}

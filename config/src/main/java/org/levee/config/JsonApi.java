package org.levee.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.levee.rules.YamlTrees;

/**
 * What the agent's and the controller's JSON APIs do alike, so that they answer alike: every
 * request passes {@link ApiSecurity}'s gate first (401 with a challenge), a refused request is
 * {@code {"error": …}} with its status, anything else that fails is a 500 naming it; request
 * bodies are read with a limit and must be one JSON object; rule ids come percent-encoded in
 * paths.
 */
public final class JsonApi {
    private JsonApi() {}

    /** The largest request body either API reads: a rule is a few hundred bytes. */
    public static final int MAX_BODY = 1 << 20;

    /** What a server does with a request that passed the gate; throws {@link ApiException} to refuse it. */
    @FunctionalInterface
    public interface Route {
        void handle(HttpExchange exchange) throws IOException;
    }

    /**
     * The handler of every path of a server: {@code security}'s gate, then {@code route}; an
     * {@link ApiException} becomes its status and message, another failure the status and message
     * {@code failures} gives it (empty: a 500 naming the exception).
     */
    public static HttpHandler handler(
            ApiSecurity security,
            ObjectMapper json,
            Route route,
            Function<RuntimeException, Optional<ApiException>> failures) {
        return exchange -> {
            try (exchange) {
                try {
                    Optional<ApiSecurity.Refusal> refusal = security.refusal(exchange);
                    if (refusal.isPresent()) {
                        exchange.getResponseHeaders()
                                .set("WWW-Authenticate", refusal.get().challenge());
                        throw new ApiException(401, refusal.get().message());
                    }
                    route.handle(exchange);
                } catch (ApiException e) {
                    error(exchange, json, e);
                } catch (RuntimeException e) {
                    Optional<ApiException> known = failures.apply(e);
                    if (known.isPresent()) {
                        error(exchange, json, known.get());
                    } else {
                        ObjectNode error = JsonNodeFactory.instance.objectNode();
                        error.put("error", "internal error: " + e);
                        json(exchange, json, 500, error);
                    }
                }
            }
        };
    }

    private static void error(HttpExchange exchange, ObjectMapper json, ApiException e) throws IOException {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("error", e.getMessage());
        if (e.problems().size() > 1) {
            ArrayNode list = error.putArray("problems");
            e.problems().forEach(list::add);
        }
        json(exchange, json, e.status(), error);
    }

    /** The request's body, at most {@link #MAX_BODY} + 1 bytes (one more tells a body at the limit from one over it). */
    public static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readNBytes(MAX_BODY + 1);
        }
    }

    /**
     * The request a {@code POST /rules} body holds: a JSON object (with each key once), of at most
     * {@link #MAX_BODY} bytes. What the fields say is the server's to read.
     *
     * @throws ApiException 413 for a larger body, 400 naming the line and column where it is not
     *     JSON, or saying it is empty or not an object; every message starts with {@code body: }
     */
    public static ObjectNode ruleRequest(byte[] bytes) {
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "body: larger than " + MAX_BODY + " bytes");
        }
        if (bytes.length == 0) {
            throw new ApiException(400, "body: empty (expected a JSON object with the fields of a rule)");
        }
        JsonNode body;
        try {
            body = YamlTrees.readJson(bytes);
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ApiException(400, "body: not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes in memory cannot fail", e);
        }
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "body: must be a JSON object with the fields of a rule (filter, action, …)");
        }
        return (ObjectNode) body;
    }

    /**
     * The rule id in {@code path} ({@code /rules/{id}}, percent-encoded).
     *
     * @throws ApiException 400 when the escapes are broken ({@code %zz}, a lone {@code %})
     */
    public static String ruleId(String path) {
        String encoded = path.substring("/rules/".length());
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    400, "path: '" + encoded + "' is not a valid percent-encoded rule id: " + e.getMessage());
        }
    }

    /** Answers {@code status} with {@code body} as JSON. */
    public static void json(HttpExchange exchange, ObjectMapper json, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", json.writeValueAsBytes(body));
    }

    /** Answers {@code status} with {@code body} of {@code contentType} (no body when it is empty). */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

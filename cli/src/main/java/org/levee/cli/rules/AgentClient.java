package org.levee.cli.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.levee.agent.rules.AgentJson;
import org.levee.cli.common.UserException;

/**
 * Talks to a running node's HTTP API. Every failure becomes a {@link UserException} with the
 * agent's own message (which names the field for a bad request).
 */
public final class AgentClient {
    /** Where {@code levee run} listens by default. */
    public static final String DEFAULT_API = "http://127.0.0.1:9276";

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // the agent speaks HTTP/1.1; no h2c upgrade attempts
            .connectTimeout(Duration.ofSeconds(5)).build();

    public AgentClient(String api) {
        String text = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        try {
            this.base = new URI(text);
        } catch (URISyntaxException e) {
            throw new UserException("--api: '" + api + "' is not a URL (like " + DEFAULT_API + ")");
        }
        if (!"http".equals(base.getScheme()) || base.getHost() == null) {
            throw new UserException("--api: '" + api + "' is not an http:// URL (like " + DEFAULT_API + ")");
        }
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(AgentJson.MAPPER.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** {@code /rules/<id>} with the id escaped. */
    public static String rulePath(String id) {
        return "/rules/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new UserException("cannot reach the agent at " + base + " (is 'levee run' running? see --api)");
        } catch (IOException e) {
            throw new UserException("cannot talk to the agent at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
        JsonNode body;
        try {
            body = AgentJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UserException("the agent at " + base + " answered " + response.statusCode() + " with something other than JSON");
        }
        if (response.statusCode() >= 400) {
            String message = body != null && body.has("error") ? body.get("error").asText() : "HTTP " + response.statusCode();
            throw new UserException(message);
        }
        return body;
    }
}

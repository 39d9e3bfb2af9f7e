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
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.levee.agent.rules.AgentJson;
import org.levee.cli.common.UserException;
import org.levee.config.PemTls;

/**
 * Talks to a running node's (or controller's) HTTP API, over http:// or https://, with its bearer
 * token when it has one ({@link ApiCredentials}). Every failure becomes a {@link UserException}
 * with the server's own message (which names the field for a bad request); a refused token says
 * what was sent and how to send the right one; a certificate that is not trusted says so.
 */
public final class AgentClient {
    /** Where {@code levee run} listens by default. */
    public static final String DEFAULT_API = "http://127.0.0.1:9276";

    private final URI base;
    private final ApiCredentials credentials;
    private final HttpClient http;

    /**
     * @param api the API's URL
     * @param tokenFile {@code --token-file}, or null
     * @param env the value of {@code LEVEE_API_TOKEN}, or null
     * @param ca {@code --ca}: the PEM CA certificates to trust for https://, or null for the JDK's
     */
    public AgentClient(String api, Path tokenFile, String env, Path ca) {
        String text = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        try {
            this.base = new URI(text);
        } catch (URISyntaxException e) {
            throw new UserException("--api: '" + api + "' is not a URL (like " + DEFAULT_API + ")");
        }
        boolean https = "https".equals(base.getScheme());
        if (!"http".equals(base.getScheme()) && !https || base.getHost() == null) {
            throw new UserException(
                    "--api: '" + api + "' is not an http:// or https:// URL (like " + DEFAULT_API + ")");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the agent speaks HTTP/1.1; no h2c upgrade attempts
                .connectTimeout(Duration.ofSeconds(5));
        if (ca != null) {
            if (!https) {
                throw new UserException("--ca: trusts a CA for https:// URLs; " + base + " is http://");
            }
            try {
                builder.sslContext(PemTls.trusting(ca));
            } catch (IllegalArgumentException e) {
                throw new UserException("--ca: " + e.getMessage(), e);
            }
        }
        this.http = builder.build();
        this.credentials = ApiCredentials.resolve(base, tokenFile, env);
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/json")
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
        credentials.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        HttpResponse<byte[]> response;
        try {
            response =
                    http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new UserException("cannot reach the agent at " + base + " (is 'levee run' running? see --api)");
        } catch (SSLException e) {
            throw new UserException("cannot talk to the agent at " + base + ": " + tls(e));
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
            throw new UserException(
                    "the agent at " + base + " answered " + response.statusCode() + " with something other than JSON");
        }
        if (response.statusCode() >= 400) {
            String message =
                    body != null && body.has("error") ? body.get("error").asText() : "HTTP " + response.statusCode();
            throw new UserException(response.statusCode() == 401 ? message + credentials.hint() : message);
        }
        return body;
    }

    /** A TLS failure in words: an untrusted certificate names --ca, the rest keeps the JDK's reason. */
    private static String tls(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException) {
                return "TLS: the server's certificate is not signed by a CA this client trusts (give --ca FILE, the CA"
                        + " that signed it): "
                        + Optional.ofNullable(t.getMessage()).orElse(t.toString());
            }
        }
        return "TLS: " + e.getMessage();
    }
}

package org.levee.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.levee.ebpf.netns.Netns;

/**
 * Talks to a Levee API inside a network namespace. Each request runs on a thread that joined the
 * namespace, and {@link HttpURLConnection} opens its socket on the calling thread, so the
 * connection is made from inside (a lab agent's API listens on the loopback of its namespace).
 */
public final class NamespaceHttp {
    private static final JsonMapper JSON = new JsonMapper();
    private static final int TIMEOUT_MILLIS = 1000;

    private NamespaceHttp() {}

    /** An answer: its status and body (the error body too). */
    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** The body as JSON, or empty when the service does not answer or answers with an error. */
    public static Optional<JsonNode> get(String namespace, String url) {
        try {
            Response r = request(namespace, "GET", url, null, null, TIMEOUT_MILLIS);
            return r.status() == 200 ? Optional.of(r.json()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * One request with an optional JSON body and bearer token.
     *
     * @throws IOException when the service does not answer
     */
    public static Response request(
            String namespace, String method, String url, String jsonBody, String token, int timeoutMillis)
            throws IOException {
        try {
            return Netns.run(namespace, () -> {
                HttpURLConnection c =
                        (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(timeoutMillis);
                c.setReadTimeout(timeoutMillis);
                c.setRequestMethod(method);
                if (token != null) {
                    c.setRequestProperty("Authorization", "Bearer " + token);
                }
                try {
                    if (jsonBody != null) {
                        c.setDoOutput(true);
                        c.setRequestProperty("Content-Type", "application/json");
                        try (OutputStream out = c.getOutputStream()) {
                            out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    int status = c.getResponseCode();
                    InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
                    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (in != null) {
                        in.close();
                    }
                    return new Response(status, body);
                } finally {
                    c.disconnect();
                }
            });
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(method + " " + url + " in namespace " + namespace + ": " + e.getMessage(), e);
        }
    }
}

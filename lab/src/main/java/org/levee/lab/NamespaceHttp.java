package org.levee.lab.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Optional;
import org.levee.ebpf.netns.Netns;

/**
 * GETs JSON from a Levee API inside a network namespace. The request runs on a thread that joined
 * the namespace, and {@link HttpURLConnection} opens its socket on the calling thread, so the
 * connection is made from inside (an edge's API listens on the loopback of the edge's namespace).
 */
final class NamespaceHttp {
    private static final JsonMapper JSON = new JsonMapper();
    private static final int TIMEOUT_MILLIS = 1000;

    private NamespaceHttp() {}

    /** The body as JSON, or empty when the service does not answer or answers with an error. */
    static Optional<JsonNode> get(String namespace, String url) {
        try {
            return Netns.run(namespace, () -> {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(TIMEOUT_MILLIS);
                c.setReadTimeout(TIMEOUT_MILLIS);
                try {
                    if (c.getResponseCode() != 200) {
                        return Optional.<JsonNode>empty();
                    }
                    try (InputStream in = c.getInputStream()) {
                        return Optional.of(JSON.readTree(in));
                    }
                } catch (IOException e) {
                    return Optional.<JsonNode>empty();
                } finally {
                    c.disconnect();
                }
            });
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}

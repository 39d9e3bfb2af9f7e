package org.levee.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.levee.agent.rules.AgentJson;

/** A tiny HTTP client for API tests (java.base only: tests are compiled into the agent's module). */
public final class Http {
    private final String base;

    public Http(InetSocketAddress address) {
        this.base = "http://127.0.0.1:" + address.getPort();
    }

    /** A response: status, Content-Type and body. */
    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return AgentJson.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body);
    }

    public Response send(String method, String path, String body) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(30_000);
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String type = c.getContentType() == null ? "" : c.getContentType();
            c.disconnect();
            return new Response(status, type, text);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }
}

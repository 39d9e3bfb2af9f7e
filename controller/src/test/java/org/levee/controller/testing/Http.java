package org.levee.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Requests to a controller's API in tests (java.base only: tests are compiled into the controller's module). */
public final class Http {
    private static final JsonMapper JSON = new JsonMapper();

    /** An answer: status and JSON body (null when the body is not JSON), and the raw text. */
    public record Answer(int status, JsonNode json, String text) {}

    private Http() {}

    public static Answer get(InetSocketAddress api, String path) {
        return send(api, "GET", path, null);
    }

    public static Answer post(InetSocketAddress api, String path, String body) {
        return send(api, "POST", path, body);
    }

    public static Answer delete(InetSocketAddress api, String path) {
        return send(api, "DELETE", path, null);
    }

    private static Answer send(InetSocketAddress api, String method, String path, String body) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + api.getPort() + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5000);
            c.setReadTimeout(30_000);
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            String text;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            JsonNode json;
            try {
                json = JSON.readTree(text);
            } catch (IOException e) {
                json = null;
            }
            return new Answer(status, json, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

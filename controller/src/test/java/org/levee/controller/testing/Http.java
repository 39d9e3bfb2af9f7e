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
import java.nio.file.Path;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.levee.config.ApiToken;

/**
 * Requests to a controller's API in tests (java.base only: tests are compiled into the
 * controller's module), with the API's bearer token when given, over https:// with a context
 * trusting the test's CA.
 *
 * @param base the API's URL
 * @param token the bearer token to send, or null
 * @param tls the context for https://, or null
 */
public record Http(String base, String token, SSLContext tls) {
    private static final JsonMapper JSON = new JsonMapper();

    /** An answer: status and JSON body (null when the body is not JSON), the raw text, the WWW-Authenticate header. */
    public record Answer(int status, JsonNode json, String text, String authenticate) {}

    /** The API on {@code api} (loopback), without a token. */
    public static Http to(InetSocketAddress api) {
        return new Http("http://127.0.0.1:" + api.getPort(), null, null);
    }

    /** The API on {@code api} with the token its controller keeps in {@code stateDir}. */
    public static Http to(InetSocketAddress api, Path stateDir) {
        return to(api).withToken(ApiToken.read(stateDir.resolve(ApiToken.FILE_NAME)));
    }

    public Http withToken(String value) {
        return new Http(base, value, tls);
    }

    public Answer get(String path) {
        return send("GET", path, null);
    }

    public Answer post(String path, String body) {
        return send("POST", path, body);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null);
    }

    public Answer send(String method, String path, String body) {
        try {
            return sendOrThrow(method, path, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #send}, the failure to connect or to agree on TLS thrown as it is. */
    public Answer sendOrThrow(String method, String path, String body) throws IOException {
        HttpURLConnection c =
                (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        if (tls != null && c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        c.setRequestMethod(method);
        c.setConnectTimeout(5000);
        c.setReadTimeout(30_000);
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
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
        return new Answer(status, json, text, c.getHeaderField("WWW-Authenticate"));
    }
}

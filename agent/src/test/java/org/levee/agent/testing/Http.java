package org.levee.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.levee.agent.rules.AgentJson;
import org.levee.config.ApiToken;

/**
 * A tiny HTTP client for API tests (java.base only: tests are compiled into the agent's module),
 * sending the API's bearer token when it has one, over https:// with a context trusting the
 * test's CA.
 */
public final class Http {
    private final String base;
    private final String token;
    private final SSLContext tls;

    /** No token: reads on loopback only. */
    public Http(InetSocketAddress address) {
        this("http://127.0.0.1:" + address.getPort(), null, null);
    }

    /** With the token the agent keeps in {@code stateDir} (generated there on its first start). */
    public Http(InetSocketAddress address, Path stateDir) {
        this("http://127.0.0.1:" + address.getPort(), ApiToken.read(stateDir.resolve(ApiToken.FILE_NAME)), null);
    }

    /**
     * @param base the API's URL
     * @param token the bearer token to send, or null
     * @param tls the context for https:// (trusting the test's CA), or null
     */
    public Http(String base, String token, SSLContext tls) {
        this.base = base;
        this.token = token;
        this.tls = tls;
    }

    /** The same API with another token (null: none). */
    public Http withToken(String value) {
        return new Http(base, value, tls);
    }

    /** A response: status, Content-Type, WWW-Authenticate and body. */
    public record Response(int status, String contentType, String authenticate, String body) {
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
            return sendOrThrow(method, path, body);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }

    /** As {@link #send}, the failure to connect or to agree on TLS thrown as it is. */
    public Response sendOrThrow(String method, String path, String body) throws IOException {
        HttpURLConnection c =
                (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        if (tls != null && c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
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
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String type = c.getContentType() == null ? "" : c.getContentType();
        String authenticate = c.getHeaderField("WWW-Authenticate");
        c.disconnect();
        return new Response(status, type, authenticate, text);
    }
}

package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.store.testing.TestCertificates;

/**
 * Who may do what, on a real server made by {@link ApiSecurity#bind} whose handler asks
 * {@link ApiSecurity#refusal} first, as the agent's and the controller's APIs do, and counts the
 * requests that got through.
 */
class ApiSecurityTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger served = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String start(ApiSecurity security) throws IOException {
        server = security.bind();
        server.createContext("/", exchange -> {
            try (exchange) {
                var refusal = security.refusal(exchange);
                byte[] body;
                if (refusal.isPresent()) {
                    exchange.getResponseHeaders()
                            .set("WWW-Authenticate", refusal.get().challenge());
                    body = refusal.get().message().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(401, body.length);
                } else {
                    served.incrementAndGet();
                    body = "served".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                }
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        return security.scheme() + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** An answer: status, WWW-Authenticate, body. */
    private record Answer(int statusCode, String challenge, String body) {}

    /** {@code method /rules} with a body for POST and PUT; {@code tls} trusts the server's CA (null: http). */
    private static Answer send(SSLContext tls, String url, String method, String authorization) throws IOException {
        HttpURLConnection c =
                (HttpURLConnection) URI.create(url + "/rules").toURL().openConnection();
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        c.setRequestMethod(method);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        if (method.equals("POST") || method.equals("PUT")) {
            c.setDoOutput(true);
            c.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String challenge = c.getHeaderField("WWW-Authenticate");
        c.disconnect();
        return new Answer(status, challenge, body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            GET    | -                      | 200 | -
            GET    | Bearer wrong           | 200 | -
            POST   | -                      | 401 | Bearer realm="levee"
            DELETE | -                      | 401 | Bearer realm="levee"
            PUT    | -                      | 401 | Bearer realm="levee"
            POST   | Bearer wrong           | 401 | Bearer realm="levee", error="invalid_token"
            POST   | Basic dXNlcjpwYXNz     | 401 | Bearer realm="levee"
            POST   | Bearer                 | 401 | Bearer realm="levee", error="invalid_token"
            POST   | Bearer TOKEN           | 200 | -
            POST   | bearer TOKEN           | 200 | -
            DELETE | Bearer TOKEN           | 200 | -
            POST   | Bearer TOKEN.          | 401 | Bearer realm="levee", error="invalid_token"
            """)
    void onLoopbackReadsAreOpenAndEverythingElseNeedsTheToken(
            String method, String authorization, int status, String challenge) throws Exception {
        ApiSecurity security = ApiSecurity.open(ApiSection.on(new InetSocketAddress("127.0.0.1", 0)), dir);
        String token = ApiToken.read(dir.resolve("api-token"));
        String url = start(security);
        Answer r = send(null, url, method, authorization == null ? null : authorization.replace("TOKEN", token));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.challenge()).isEqualTo(challenge);
        assertThat(served.get()).as("requests that reached the handler").isEqualTo(status == 200 ? 1 : 0);
        if (status == 401) {
            assertThat(r.body()).startsWith("unauthorized: ").doesNotContain(token);
        }
    }

    @Test
    void overTlsAClientOfTheCaGetsThroughWithTheTokenAndAnotherCaIsRefused() throws Exception {
        TestCertificates pki = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        ApiSecurity security = ApiSecurity.open(
                ApiSection.on(new InetSocketAddress("127.0.0.1", 0)).withTls(pki.serverCert(), pki.serverKey()), dir);
        String url = start(security);
        assertThat(server).isInstanceOf(HttpsServer.class);
        assertThat(url).startsWith("https://127.0.0.1:");
        SSLContext trusting = PemTls.trusting(pki.ca());
        assertThat(send(trusting, url, "GET", null).statusCode()).isEqualTo(200);
        assertThat(send(trusting, url, "POST", null).statusCode()).isEqualTo(401);
        assertThat(send(trusting, url, "POST", "Bearer " + ApiToken.read(dir.resolve("api-token")))
                        .statusCode())
                .isEqualTo(200);

        SSLContext other = PemTls.trusting(pki.clientCert());
        assertThatThrownBy(() -> send(other, url, "GET", null)).isInstanceOf(SSLHandshakeException.class);
        assertThat(served.get()).isEqualTo(2);
    }

    @Test
    void aRotationOnTheRunningServerRefusesTheOldTokenAndTakesTheNew() throws Exception {
        ApiSecurity security = ApiSecurity.open(ApiSection.on(new InetSocketAddress("127.0.0.1", 0)), dir);
        String url = start(security);
        SSLContext client = null;
        String old = ApiToken.read(security.tokenFile());
        assertThat(send(client, url, "POST", "Bearer " + old).statusCode()).isEqualTo(200);
        String rotated = ApiToken.rotate(security.tokenFile());
        assertThat(send(client, url, "POST", "Bearer " + old).statusCode()).isEqualTo(401);
        assertThat(send(client, url, "POST", "Bearer " + rotated).statusCode()).isEqualTo(200);
    }

    @Test
    void openRefusesWhatCannotBeServedSafely() throws Exception {
        assertThatThrownBy(() -> ApiSecurity.open(ApiSection.on(new InetSocketAddress("0.0.0.0", 9276)), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("api: the API would listen on 0.0.0.0:9276");
        assertThat(dir.resolve("api-token"))
                .as("nothing written before the refusal")
                .doesNotExist();

        Path notPem = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        assertThatThrownBy(() -> ApiSecurity.open(
                        ApiSection.on(new InetSocketAddress("127.0.0.1", 0)).withTls(notPem, notPem), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "api: " + notPem + ": no certificate in it (PEM," + " -----BEGIN CERTIFICATE----- expected)");

        Path missing = dir.resolve("given-token");
        assertThatThrownBy(() -> ApiSecurity.open(
                        ApiSection.on(new InetSocketAddress("127.0.0.1", 0)).withTokenFile(missing), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read the API token: no such file");
        assertThat(dir.resolve("api-token"))
                .as("a given token file is not generated")
                .doesNotExist();
    }
}

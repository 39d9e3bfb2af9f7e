package org.levee.config;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Who may do what on an API (the agent's and the controller's share it): every request but a
 * {@code GET} needs the bearer token ({@code Authorization: Bearer <token>}); on an address that
 * is not loopback, {@code GET} needs it too, and the API must speak TLS. {@link #open} checks the
 * section, reads (or first generates) the token and loads the TLS files, so a server refuses to
 * start on anything wrong instead of serving it; {@link #bind} makes the HTTP or HTTPS server;
 * {@link #refusal} says whether a request goes through, before the server reads its body or acts
 * on it.
 */
public final class ApiSecurity {
    /** The challenge of a request without a token (RFC 6750). */
    public static final String CHALLENGE = "Bearer realm=\"levee\"";
    /** The challenge of a request with a wrong token. */
    public static final String CHALLENGE_INVALID = "Bearer realm=\"levee\", error=\"invalid_token\"";

    private final ApiSection section;
    private final ApiToken token;
    private final Optional<SSLContext> tls;

    /** A request refused: the {@code WWW-Authenticate} challenge to answer with, and why. */
    public record Refusal(String challenge, String message) {}

    private ApiSecurity(ApiSection section, ApiToken token, Optional<SSLContext> tls) {
        this.section = section;
        this.token = token;
        this.tls = tls;
    }

    /**
     * The security of the API {@code api} describes: the token of its {@code token_file}, or the
     * one in {@code stateDir} (generated there on first start), and its TLS context.
     *
     * @throws ConfigException one line naming what is wrong: an address reachable from the
     *     network without TLS, an unreadable or unsafe token file, bad TLS files
     */
    public static ApiSecurity open(ApiSection api, Path stateDir) {
        try {
            api.requireSafe();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("api", List.of(e.getMessage()));
        }
        Optional<SSLContext> tls = Optional.empty();
        if (api.tls()) {
            try {
                tls = Optional.of(
                        PemTls.server(api.tlsCert().orElseThrow(), api.tlsKey().orElseThrow()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("api", List.of(e.getMessage()));
            }
        }
        ApiToken token = api.tokenFile().isPresent()
                ? ApiToken.open(api.tokenFile().get())
                : ApiToken.openOrCreate(api.tokenFile(stateDir));
        return new ApiSecurity(api, token, tls);
    }

    /** An HTTP server on the section's address, HTTPS when it has TLS; not started. */
    public HttpServer bind() throws IOException {
        if (tls.isEmpty()) {
            return HttpServer.create(section.address(), 0);
        }
        HttpsServer server = HttpsServer.create(section.address(), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
        return server;
    }

    /**
     * Why {@code exchange} may not go on, or empty when it may: a {@code GET} on loopback, or any
     * request carrying the token.
     */
    public Optional<Refusal> refusal(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && section.loopback()) {
            return Optional.empty();
        }
        String what = method + " " + exchange.getRequestURI().getRawPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || authorization.isBlank()) {
            return Optional.of(new Refusal(
                    CHALLENGE,
                    "unauthorized: " + what + " needs the API's token"
                            + " (header Authorization: Bearer TOKEN; the token is in the server's token file)"));
        }
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            return Optional.of(new Refusal(
                    CHALLENGE,
                    "unauthorized: only bearer tokens are accepted" + " (header Authorization: Bearer TOKEN)"));
        }
        if (!token.matches(authorization.substring(space + 1).strip())) {
            return Optional.of(new Refusal(
                    CHALLENGE_INVALID,
                    "unauthorized: the bearer token is not this API's"
                            + " (was it rotated? read the token file again)"));
        }
        return Optional.empty();
    }

    /** The file the token is read from. */
    public Path tokenFile() {
        return token.file();
    }

    /** Whether the API speaks TLS. */
    public boolean tls() {
        return tls.isPresent();
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** The section this was opened from. */
    public ApiSection section() {
        return section;
    }
}

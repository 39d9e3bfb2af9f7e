package org.levee.store.etcd;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach etcd: the client URLs of its members (or of a gRPC proxy), and the usual client
 * settings — a CA to trust, a client certificate and key (PEM; the key in PKCS#8), a user and
 * password. Every URL has one scheme: {@code http} for plain gRPC, {@code https} for TLS.
 *
 * @param endpoints members' client URLs, {@code http://HOST:PORT} or {@code https://HOST:PORT}
 * @param caFile PEM certificates to trust (TLS only); empty: the JDK's trust store
 * @param certFile PEM client certificate (TLS only), with {@code keyFile}
 * @param keyFile PEM PKCS#8 private key of {@code certFile}
 * @param user etcd user (with {@code password}): the client authenticates and sends the token
 * @param password the user's password (never printed by {@link #toString()})
 * @param requestTimeout deadline of each request (not of watch streams)
 */
public record EtcdSettings(
        List<URI> endpoints,
        Optional<Path> caFile,
        Optional<Path> certFile,
        Optional<Path> keyFile,
        Optional<String> user,
        Optional<String> password,
        Duration requestTimeout) {

    /** etcd's own default deadline for a request is 5 s as well (etcdctl --command-timeout). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: none given (e.g. http://127.0.0.1:2379)");
        }
        String scheme = endpoints.getFirst().getScheme();
        for (URI endpoint : endpoints) {
            checkEndpoint(endpoint);
            if (!endpoint.getScheme().equals(scheme)) {
                throw new IllegalArgumentException("etcd endpoints: all must use one scheme, got " + scheme + " and "
                        + endpoint.getScheme() + " (" + endpoint + ")");
            }
        }
        boolean tls = scheme.equals("https");
        if (!tls && (caFile.isPresent() || certFile.isPresent() || keyFile.isPresent())) {
            throw new IllegalArgumentException(
                    "etcd: a CA, certificate or key needs https:// endpoints, got " + endpoints.getFirst());
        }
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException(
                    "etcd: a client certificate needs its key and a key needs its certificate");
        }
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("etcd: a user needs a password and a password needs a user");
        }
        if (user.isPresent() && (user.get().isEmpty() || user.get().contains(":"))) {
            throw new IllegalArgumentException("etcd: user '" + user.get() + "' must be non-empty and without ':'");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("etcd: request timeout must be positive, got " + requestTimeout);
        }
    }

    /**
     * Settings for comma-separated client URLs, as etcdctl's {@code --endpoints} takes them;
     * a bare {@code HOST:PORT} means {@code http://HOST:PORT}.
     *
     * @throws IllegalArgumentException naming the endpoint that is not a URL of a host and port
     */
    public static EtcdSettings of(String endpoints) {
        List<URI> uris = new ArrayList<>();
        for (String part : endpoints.split(",", -1)) {
            String text = part.strip();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("etcd endpoints '" + endpoints + "': empty entry");
            }
            if (!text.contains("://")) {
                text = "http://" + text;
            }
            try {
                uris.add(new URI(text));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "etcd endpoint '" + part.strip() + "' is not a URL: " + e.getReason());
            }
        }
        return of(uris);
    }

    /** Settings for these client URLs, without TLS or auth. */
    public static EtcdSettings of(List<URI> endpoints) {
        return new EtcdSettings(
                endpoints,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_REQUEST_TIMEOUT);
    }

    /** These settings with a CA to trust and, when both are given, a client certificate and key. */
    public EtcdSettings withTls(Path ca, Path cert, Path key) {
        return new EtcdSettings(
                endpoints,
                Optional.ofNullable(ca),
                Optional.ofNullable(cert),
                Optional.ofNullable(key),
                user,
                password,
                requestTimeout);
    }

    /** These settings with etcd user authentication. */
    public EtcdSettings withUser(String name, String secret) {
        return new EtcdSettings(
                endpoints, caFile, certFile, keyFile, Optional.of(name), Optional.of(secret), requestTimeout);
    }

    /** These settings with another deadline per request. */
    public EtcdSettings withRequestTimeout(Duration timeout) {
        return new EtcdSettings(endpoints, caFile, certFile, keyFile, user, password, timeout);
    }

    /** True for https:// endpoints. */
    public boolean tls() {
        return endpoints.getFirst().getScheme().equals("https");
    }

    /** The endpoints as etcdctl's {@code --endpoints} takes them. */
    public String endpointList() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    @Override
    public String toString() {
        return "EtcdSettings[endpoints=" + endpointList()
                + caFile.map(p -> ", ca=" + p).orElse("")
                + certFile.map(p -> ", cert=" + p).orElse("")
                + keyFile.map(p -> ", key=" + p).orElse("")
                + user.map(u -> ", user=" + u + ", password=***").orElse("")
                + ", requestTimeout=" + requestTimeout + "]";
    }

    private static void checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme();
        if (scheme == null
                || !(scheme.equals("http") || scheme.equals("https"))
                || endpoint.getHost() == null
                || endpoint.getPort() < 1
                || !(endpoint.getRawPath() == null
                        || endpoint.getRawPath().isEmpty()
                        || endpoint.getRawPath().equals("/"))
                || endpoint.getRawQuery() != null
                || endpoint.getUserInfo() != null) {
            throw new IllegalArgumentException("etcd endpoint '" + endpoint
                    + "' must be http://HOST:PORT or https://HOST:PORT (a member's or a grpc-proxy's client URL)");
        }
    }
}

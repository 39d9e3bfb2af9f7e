package org.levee.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code api:} section of the agent's and the controller's configuration: where the HTTP API
 * listens, where its bearer token is kept, and its TLS certificate and key. Flags override each
 * key ({@code --api}, {@code --api-token-file}, {@code --api-cert}, {@code --api-key}).
 *
 * <pre>
 * api:
 *   address: 127.0.0.1:9276            # host:port, [v6]:port, :port (loopback)
 *   token_file: /etc/levee/api-token   # default: STATE_DIR/api-token, generated on first start
 *   tls_cert: /etc/levee/api.pem       # the server's certificate chain (PEM), with tls_key
 *   tls_key: /etc/levee/api-key.pem    # its private key (PKCS#8 PEM)
 * </pre>
 *
 * @param address where the API listens (port 0: any free port)
 * @param tokenFile the token's file, when given; else {@link ApiToken#FILE_NAME} in the state directory
 * @param tlsCert the server's certificate chain (PEM), when the API speaks TLS
 * @param tlsKey the key of {@code tlsCert} (PKCS#8 PEM)
 */
public record ApiSection(
        InetSocketAddress address, Optional<Path> tokenFile, Optional<Path> tlsCert, Optional<Path> tlsKey) {

    /** The keys of the section. */
    public static final Set<String> KEYS = Set.of("address", "token_file", "tls_cert", "tls_key");

    public ApiSection {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(tlsCert, "tlsCert");
        Objects.requireNonNull(tlsKey, "tlsKey");
    }

    /** Plain HTTP on {@code address}, the token in the state directory. */
    public static ApiSection on(InetSocketAddress address) {
        return new ApiSection(address, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The section in {@code node} (null when absent) over {@code d}; problems go to {@code r} under {@code path}. */
    public static ApiSection read(ConfigReader r, JsonNode node, String path, ApiSection d) {
        if (node == null || node.isNull() || !r.mapping(node, path, KEYS)) {
            return d;
        }
        InetSocketAddress address = r.parsed(node, path + ".address", "address", d.address(), ListenAddress::parse);
        Optional<Path> token = file(r, node, path, "token_file").or(d::tokenFile);
        Optional<Path> cert = file(r, node, path, "tls_cert").or(d::tlsCert);
        Optional<Path> key = file(r, node, path, "tls_key").or(d::tlsKey);
        if (cert.isPresent() != key.isPresent()) {
            r.problem(
                    path + (cert.isPresent() ? ".tls_key" : ".tls_cert"),
                    "TLS needs both tls_cert (the certificate chain)" + " and tls_key (its PKCS#8 key)");
        }
        return new ApiSection(address, token, cert, key);
    }

    private static Optional<Path> file(ConfigReader r, JsonNode node, String path, String key) {
        Optional<Path> file = r.file(node, path + "." + key, key);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            r.problem(path + "." + key, "'" + file.get() + "' is not a readable file");
        }
        return file;
    }

    public ApiSection withAddress(InetSocketAddress value) {
        return new ApiSection(value, tokenFile, tlsCert, tlsKey);
    }

    public ApiSection withTokenFile(Path value) {
        return new ApiSection(address, Optional.of(value), tlsCert, tlsKey);
    }

    /** Serves TLS with this certificate chain and key (PEM files). */
    public ApiSection withTls(Path cert, Path key) {
        return new ApiSection(address, tokenFile, Optional.of(cert), Optional.of(key));
    }

    /** Whether the API speaks TLS. */
    public boolean tls() {
        return tlsCert.isPresent() && tlsKey.isPresent();
    }

    /** Whether the API listens on a loopback address only (127.0.0.0/8, ::1). */
    public boolean loopback() {
        return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    /** The token's file: the given one, else {@code api-token} in {@code stateDir}. */
    public Path tokenFile(Path stateDir) {
        return tokenFile.orElseGet(() -> stateDir.resolve(ApiToken.FILE_NAME));
    }

    /**
     * Refuses an API reachable from the network without TLS: its token would cross the network
     * in clear text. Both halves of a TLS setup must be given.
     *
     * @throws IllegalArgumentException one line naming what to configure
     */
    public void requireSafe() {
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new IllegalArgumentException(
                    "the API's TLS needs both a certificate chain and its key: give --api-cert FILE"
                            + " and --api-key FILE (or api.tls_cert and api.tls_key in the configuration)");
        }
        if (!loopback() && !tls()) {
            throw new IllegalArgumentException(
                    "the API would listen on " + hostPort() + ", which is not a loopback address,"
                            + " without TLS: give --api-cert FILE and --api-key FILE (or api.tls_cert and api.tls_key in the"
                            + " configuration), or listen on 127.0.0.1");
        }
    }

    private String hostPort() {
        String host = address.getAddress() instanceof Inet6Address v6 ? compressed(v6) : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** An IPv6 address as people write it (RFC 5952): the longest run of two or more zero groups as {@code ::}. */
    static String compressed(Inet6Address address) {
        String[] groups = address.getHostAddress().replaceFirst("%.*", "").split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}

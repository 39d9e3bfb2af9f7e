package org.levee.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.levee.store.etcd.EtcdSettings;

/**
 * The {@code etcd:} section: how to reach the fleet's store. Every key is optional in the file;
 * the endpoints may come from a flag ({@code --etcd}) instead, which wins.
 *
 * <pre>
 * etcd:
 *   endpoints: https://10.0.0.1:2379,https://10.0.0.2:2379   # or a list
 *   ca: /etc/levee/etcd-ca.pem        # TLS: a CA to trust, and a client certificate and key (PKCS#8)
 *   cert: /etc/levee/etcd-client.pem
 *   key: /etc/levee/etcd-client.key
 *   user: levee                       # etcd authentication, with password
 *   password: secret
 *   request_timeout: 5s
 * </pre>
 *
 * @param endpoints comma-separated client URLs, if given
 * @param ca PEM certificates to trust
 * @param cert PEM client certificate
 * @param key PEM PKCS#8 key of {@code cert}
 * @param user etcd user
 * @param password the user's password
 * @param requestTimeout deadline of each request
 */
public record EtcdSection(Optional<String> endpoints, Optional<Path> ca, Optional<Path> cert, Optional<Path> key,
                          Optional<String> user, Optional<String> password, Optional<Duration> requestTimeout) {

    /** The keys of the section. */
    public static final Set<String> KEYS = Set.of("endpoints", "ca", "cert", "key", "user", "password", "request_timeout");

    /** Nothing configured. */
    public static EtcdSection none() {
        return new EtcdSection(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** The section in {@code node} (null when absent); problems go to {@code r} under {@code path}. */
    public static EtcdSection read(ConfigReader r, JsonNode node, String path) {
        if (node == null || !r.mapping(node, path, KEYS)) {
            return none();
        }
        Optional<String> endpoints = Optional.empty();
        JsonNode e = node.get("endpoints");
        if (e != null && e.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < e.size(); i++) {
                if (!e.get(i).isTextual() || e.get(i).asText().isBlank()) {
                    r.problem(path + ".endpoints[" + i + "]", "must be a URL like http://127.0.0.1:2379");
                }
                joined.append(i == 0 ? "" : ",").append(e.get(i).asText());
            }
            endpoints = Optional.of(joined.toString());
        } else if (e != null && !e.isNull()) {
            endpoints = Optional.ofNullable(r.string(node, path + ".endpoints", "endpoints", null));
        }
        endpoints.ifPresent(text -> {
            try {
                EtcdSettings.of(text);
            } catch (IllegalArgumentException ex) {
                r.problem(path + ".endpoints", ex.getMessage());
            }
        });
        Optional<Path> ca = r.file(node, path + ".ca", "ca");
        Optional<Path> cert = r.file(node, path + ".cert", "cert");
        Optional<Path> key = r.file(node, path + ".key", "key");
        Optional<String> user = Optional.ofNullable(r.string(node, path + ".user", "user", null));
        Optional<String> password = Optional.ofNullable(r.string(node, path + ".password", "password", null));
        Optional<Duration> timeout = Optional.ofNullable(r.duration(node, path + ".request_timeout", "request_timeout", null));
        EtcdSection section = new EtcdSection(endpoints, ca, cert, key, user, password, timeout);
        readable(r, path + ".ca", ca);
        readable(r, path + ".cert", cert);
        readable(r, path + ".key", key);
        if (endpoints.isPresent()) {
            try {
                section.settings(Optional.empty());
            } catch (IllegalArgumentException ex) {
                r.problem(path, ex.getMessage());
            }
        }
        return section;
    }

    private static void readable(ConfigReader r, String path, Optional<Path> file) {
        if (file.isPresent() && !java.nio.file.Files.isReadable(file.get())) {
            r.problem(path, "'" + file.get() + "' is not a readable file");
        }
    }

    /**
     * The settings for the client: {@code endpointsFlag} if given, else the section's endpoints,
     * with its TLS files, user and timeout.
     *
     * @throws IllegalArgumentException when there are no endpoints, or they do not fit the rest
     *     (a CA with http://, a user without a password, …)
     */
    public EtcdSettings settings(Optional<String> endpointsFlag) {
        String urls = endpointsFlag.or(() -> endpoints).orElseThrow(() -> new IllegalArgumentException(
                "no etcd endpoints: give --etcd URLS or etcd.endpoints in the configuration"));
        EtcdSettings s = EtcdSettings.of(urls);
        if (ca.isPresent() || cert.isPresent() || key.isPresent()) {
            s = s.withTls(ca.orElse(null), cert.orElse(null), key.orElse(null));
        }
        if (user.isPresent() || password.isPresent()) {
            if (user.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException("etcd: a user needs a password and a password needs a user");
            }
            s = s.withUser(user.get(), password.get());
        }
        if (requestTimeout.isPresent()) {
            s = s.withRequestTimeout(requestTimeout.get());
        }
        return s;
    }

    @Override
    public String toString() {
        return "EtcdSection[endpoints=" + endpoints.orElse("-") + ", ca=" + ca.map(Path::toString).orElse("-")
                + ", cert=" + cert.map(Path::toString).orElse("-") + ", key=" + key.map(Path::toString).orElse("-")
                + ", user=" + user.orElse("-") + password.map(p -> ", password=***").orElse("") + "]";
    }
}

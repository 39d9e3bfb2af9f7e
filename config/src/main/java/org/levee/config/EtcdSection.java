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
 *   password: secret                  # or password_file: its first line (not visible to ps)
 *   request_timeout: 5s
 * </pre>
 *
 * The flags {@code --etcd-ca}, {@code --etcd-cert}, {@code --etcd-key}, {@code --etcd-user} and
 * {@code --etcd-password} override the file's keys ({@link #withTls}, {@link #withUser}).
 *
 * @param endpoints comma-separated client URLs, if given
 * @param ca PEM certificates to trust
 * @param cert PEM client certificate
 * @param key PEM PKCS#8 key of {@code cert}
 * @param user etcd user
 * @param password the user's password
 * @param passwordFile a file whose first line is the password, instead of {@code password}
 * @param requestTimeout deadline of each request
 */
public record EtcdSection(
        Optional<String> endpoints,
        Optional<Path> ca,
        Optional<Path> cert,
        Optional<Path> key,
        Optional<String> user,
        Optional<String> password,
        Optional<Path> passwordFile,
        Optional<Duration> requestTimeout) {

    /** The keys of the section. */
    public static final Set<String> KEYS =
            Set.of("endpoints", "ca", "cert", "key", "user", "password", "password_file", "request_timeout");

    /** Nothing configured. */
    public static EtcdSection none() {
        return new EtcdSection(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** The section with the TLS files given (by flags) in place of the file's; an empty one keeps the file's. */
    public EtcdSection withTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        return new EtcdSection(
                endpoints,
                caFile.or(() -> ca),
                certFile.or(() -> cert),
                keyFile.or(() -> key),
                user,
                password,
                passwordFile,
                requestTimeout);
    }

    /** The section with the user and password given (by flags) in place of the file's; an empty one keeps the file's. */
    public EtcdSection withUser(Optional<String> userName, Optional<String> secret) {
        return new EtcdSection(
                endpoints,
                ca,
                cert,
                key,
                userName.or(() -> user),
                secret.or(() -> password),
                secret.isPresent() ? Optional.empty() : passwordFile,
                requestTimeout);
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
        Optional<Path> passwordFile = Optional.ofNullable(
                        r.string(node, path + ".password_file", "password_file", null))
                .map(Path::of);
        Optional<Duration> timeout =
                Optional.ofNullable(r.duration(node, path + ".request_timeout", "request_timeout", null));
        if (password.isPresent() && passwordFile.isPresent()) {
            r.problem(path, "give either password or password_file, not both");
            passwordFile = Optional.empty();
        }
        EtcdSection section = new EtcdSection(endpoints, ca, cert, key, user, password, passwordFile, timeout);
        readable(r, path + ".ca", ca);
        readable(r, path + ".cert", cert);
        readable(r, path + ".key", key);
        readable(r, path + ".password_file", passwordFile);
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

    private static void mustRead(String what, Optional<Path> file) {
        if (file.isPresent() && !java.nio.file.Files.isReadable(file.get())) {
            throw new IllegalArgumentException("etcd: the " + what + " " + file.get() + " cannot be read");
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
        String urls = endpointsFlag
                .or(() -> endpoints)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no etcd endpoints: give --etcd URLS or etcd.endpoints in the configuration"));
        EtcdSettings s = EtcdSettings.of(urls);
        // Flags may have replaced the files checked when the file was read: checked again here.
        mustRead("CA", ca);
        mustRead("client certificate", cert);
        mustRead("client key", key);
        if (ca.isPresent() || cert.isPresent() || key.isPresent()) {
            s = s.withTls(ca.orElse(null), cert.orElse(null), key.orElse(null));
        }
        Optional<String> secret = password;
        if (passwordFile.isPresent()) {
            try {
                secret = Optional.of(java.nio.file.Files.readString(passwordFile.get())
                        .lines()
                        .findFirst()
                        .orElse(""));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(
                        "etcd: the password file " + passwordFile.get() + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (user.isPresent() || secret.isPresent()) {
            if (user.isEmpty() || secret.isEmpty()) {
                throw new IllegalArgumentException("etcd: a user needs a password and a password needs a user");
            }
            s = s.withUser(user.get(), secret.get());
        }
        if (requestTimeout.isPresent()) {
            s = s.withRequestTimeout(requestTimeout.get());
        }
        return s;
    }

    @Override
    public String toString() {
        return "EtcdSection[endpoints=" + endpoints.orElse("-") + ", ca="
                + ca.map(Path::toString).orElse("-")
                + ", cert=" + cert.map(Path::toString).orElse("-") + ", key="
                + key.map(Path::toString).orElse("-")
                + ", user=" + user.orElse("-")
                + password.map(p -> ", password=***").orElse("")
                + passwordFile.map(f -> ", password_file=" + f).orElse("") + "]";
    }
}

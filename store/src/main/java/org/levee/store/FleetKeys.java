package org.levee.store;

import java.util.Optional;

/**
 * Levee's key layout in etcd under one prefix (default {@value #DEFAULT_PREFIX}). Scripts and
 * operators use these names (docs/store.md); they never change.
 *
 * <pre>
 * PREFIX rules/ID                 one rule as JSON (the rules module's codec)
 * PREFIX objects/SHA256/N         chunk N (0, 1, …) of a compiled rule-set object, at most 1 MiB
 * PREFIX objects/SHA256/gzip/N    chunk N of the same object gzip-compressed (when the manifest names that form)
 * PREFIX ruleset                  the manifest: version, rule ids, object digest/size/chunks, …
 * PREFIX nodes/DATACENTER/NODE    an edge's registration, attached to its lease
 * PREFIX leader                   the leader controller's identity, attached to its lease
 * PREFIX problems                 the rules the leader left out of the set, and why (JSON)
 * </pre>
 *
 * @param prefix starts and ends with '/'
 */
public record FleetKeys(String prefix) {
    public static final String DEFAULT_PREFIX = "/levee/";

    public FleetKeys {
        if (prefix == null
                || prefix.length() < 2
                || !prefix.startsWith("/")
                || !prefix.endsWith("/")
                || prefix.contains("//")) {
            throw new IllegalArgumentException(
                    "etcd prefix '" + prefix + "' must start and end with '/' (e.g. " + DEFAULT_PREFIX + ")");
        }
    }

    /** The layout under {@value #DEFAULT_PREFIX}. */
    public static FleetKeys defaults() {
        return new FleetKeys(DEFAULT_PREFIX);
    }

    /** Prefix of every rule. */
    public String rules() {
        return prefix + "rules/";
    }

    /** The key of rule {@code id}. */
    public String rule(String id) {
        return rules() + segment("rule id", id);
    }

    /** The rule id of a key under {@link #rules()}, if it is one. */
    public Optional<String> ruleId(String key) {
        if (!key.startsWith(rules())) {
            return Optional.empty();
        }
        String id = key.substring(rules().length());
        return id.isEmpty() || id.contains("/") ? Optional.empty() : Optional.of(id);
    }

    /** Prefix of every object's chunks. */
    public String objects() {
        return prefix + "objects/";
    }

    /** Prefix of the chunks of the object with this SHA-256 (lowercase hex). */
    public String object(String sha256) {
        return objects() + ObjectRef.checkSha256(sha256) + "/";
    }

    /** The key of chunk {@code n} (0-based, decimal without padding) of an object. */
    public String chunk(String sha256, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("chunk number " + n + " is negative");
        }
        return object(sha256) + n;
    }

    /**
     * The key of chunk {@code n} of the gzip form of the object with this SHA-256 (the plain
     * object's digest: the form lives under the object's prefix and goes with it).
     */
    public String gzipChunk(String sha256, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("chunk number " + n + " is negative");
        }
        return object(sha256) + "gzip/" + n;
    }

    /** The manifest of the rule set in force. */
    public String ruleset() {
        return prefix + "ruleset";
    }

    /** Prefix of every node registration. */
    public String nodes() {
        return prefix + "nodes/";
    }

    /** The registration key of {@code node} in {@code datacenter}. */
    public String node(String datacenter, String node) {
        return nodes() + segment("data center", datacenter) + "/" + segment("node name", node);
    }

    /** The leader controller's key. */
    public String leader() {
        return prefix + "leader";
    }

    /** The rules the leader could not use, with why: {@code levee fleet status} shows them without a controller. */
    public String problems() {
        return prefix + "problems";
    }

    /**
     * The data center and node of a key under {@link #nodes()} ({@code nodes/DC/NODE}), if it is one.
     *
     * @return {@code [datacenter, node]}
     */
    public Optional<String[]> nodeOf(String key) {
        if (!key.startsWith(nodes())) {
            return Optional.empty();
        }
        String[] parts = key.substring(nodes().length()).split("/", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? Optional.of(parts) : Optional.empty();
    }

    /** A name used as one path segment of a key: not empty, no '/', no control characters. */
    static String segment(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' has a '/' or a control character at offset " + i + " (it becomes part of an etcd key)");
            }
        }
        return name;
    }
}

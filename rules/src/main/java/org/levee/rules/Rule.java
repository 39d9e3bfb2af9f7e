package org.levee.rules;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A mitigation rule: packets that {@code match} selects, to {@code destinations}, get {@code action}
 * in {@code datacenters} until {@code expires}. Operators write them in rule files and through the
 * API, the detector makes them from fingerprints; the data plane compiles them into its program.
 *
 * @param id           stable name, {@code [a-z0-9][a-z0-9-]*}, at most {@value #MAX_ID_LENGTH} characters
 * @param match        the packets it is about
 * @param destinations the destination networks it is limited to (empty: every destination)
 * @param datacenters  the data centers it applies in (empty: everywhere)
 * @param action       what to do with a matching packet
 * @param expires      when it stops applying, if ever
 * @param comment      free text ("" when none)
 * @param origin       who wrote it
 * @param upstream     what it asks of the upstream routers besides (BGP FlowSpec or a blackhole),
 *                     if anything; whether and how it is announced is the upstream module's policy
 */
public record Rule(
        String id,
        Match match,
        List<Prefix> destinations,
        List<String> datacenters,
        Action action,
        Optional<Instant> expires,
        String comment,
        Origin origin,
        Optional<UpstreamMode> upstream) {

    /** Longest accepted id: it becomes part of ELF symbol names and status lines. */
    public static final int MAX_ID_LENGTH = 63;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    public Rule {
        requireValidId(id);
        Objects.requireNonNull(match, "match");
        destinations = List.copyOf(destinations);
        datacenters = List.copyOf(datacenters);
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(comment, "comment");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(upstream, "upstream");
    }

    /** A rule that asks nothing of the upstream routers. */
    public Rule(
            String id,
            Match match,
            List<Prefix> destinations,
            List<String> datacenters,
            Action action,
            Optional<Instant> expires,
            String comment,
            Origin origin) {
        this(id, match, destinations, datacenters, action, expires, comment, origin, Optional.empty());
    }

    /** Throws when {@code id} is not a valid rule id, saying why. */
    public static void requireValidId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("rule id is missing");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("rule id '" + id + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("rule id '" + id + "' is not of the form [a-z0-9][a-z0-9-]*");
        }
    }

    /** This rule under another id (the agent tags the detector's ids with its run). */
    public Rule withId(String newId) {
        return new Rule(newId, match, destinations, datacenters, action, expires, comment, origin, upstream);
    }

    /** This rule in other data centers (none: all of them). */
    public Rule withDatacenters(List<String> newDatacenters) {
        return new Rule(id, match, destinations, newDatacenters, action, expires, comment, origin, upstream);
    }

    /** This rule with another expiry time. */
    public Rule withExpires(Optional<Instant> newExpires) {
        return new Rule(id, match, destinations, datacenters, action, newExpires, comment, origin, upstream);
    }

    /** This rule asking {@code newUpstream} of the upstream routers. */
    public Rule withUpstream(Optional<UpstreamMode> newUpstream) {
        return new Rule(id, match, destinations, datacenters, action, expires, comment, origin, newUpstream);
    }

    /** True once the expiry time has passed at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expires.map(e -> !now.isBefore(e)).orElse(false);
    }

    /** The patchable constant that enables this rule's code: {@code rule_<id>_enabled}. */
    public String enabledSymbol() {
        return enabledSymbol(id);
    }

    /** {@code rule_<id>_enabled}. */
    public static String enabledSymbol(String id) {
        return "rule_" + id + "_enabled";
    }
}

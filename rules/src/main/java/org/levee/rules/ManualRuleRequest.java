package org.levee.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The body of {@code POST /rules}, on an agent or a controller: the fields of a rule file with
 * {@code id} optional (one is made up: {@code manual-} and 8 random hex digits), {@code ttl}
 * ({@code 90s}, {@code 1h}, see {@link Durations}) as an alternative to {@code expires}, and
 * {@code origin}, if given, {@code manual}: rules added by people are manual.
 */
public final class ManualRuleRequest {
    private ManualRuleRequest() {}

    /** How errors name a rule being added through the API. */
    public static final String SOURCE = "rule";

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The rule {@code request} asks for at {@code now}.
     *
     * @throws RuleSetException naming each bad field ({@code ttl: …}, {@code action: …}), and an
     *     {@code expires} that is not after {@code now}
     */
    public static Rule read(ObjectNode request, Instant now) {
        ObjectNode fields = request.deepCopy();
        if (fields.has("origin") && !fields.get("origin").asText().equals(Origin.MANUAL.keyword())) {
            throw problem("origin: rules added through the API are manual, not '"
                    + fields.get("origin").asText() + "'");
        }
        fields.put("origin", Origin.MANUAL.keyword());
        force(fields);
        fields.remove("force");
        JsonNode ttl = fields.remove("ttl");
        if (ttl != null && !ttl.isNull()) {
            if (fields.has("expires")) {
                throw problem("ttl: give either ttl or expires, not both");
            }
            Duration d;
            try {
                d = Durations.parse(ttl.asText());
            } catch (IllegalArgumentException e) {
                throw problem("ttl: " + e.getMessage());
            }
            if (d.isZero()) {
                throw problem("ttl: must be longer than zero");
            }
            fields.put("expires", now.plus(d).toString());
        }
        if (!fields.has("id") || fields.get("id").isNull()) {
            fields.put("id", newId());
        }
        Rule rule = RuleCodec.readRule(SOURCE, fields);
        requireFuture(rule, now);
        return rule;
    }

    /**
     * Whether {@code request} asks to add the rule even though the {@link RuleGuard} refuses it
     * ({@code "force": true}); false when absent.
     *
     * @throws RuleSetException when {@code force} is not a boolean
     */
    public static boolean force(ObjectNode request) {
        JsonNode force = request.get("force");
        if (force == null || force.isNull()) {
            return false;
        }
        if (!force.isBoolean()) {
            throw problem("force: must be true or false, not " + force);
        }
        return force.booleanValue();
    }

    /** A fresh id for a manual rule: {@code manual-} and 8 random hex digits. */
    public static String newId() {
        return "manual-" + HexFormat.of().toHexDigits(RANDOM.nextInt());
    }

    /**
     * Refuses a rule whose expiry is not after {@code now}: it would never apply.
     *
     * @throws RuleSetException naming the rule and {@code expires}
     */
    public static void requireFuture(Rule rule, Instant now) {
        if (rule.expires().isPresent() && !rule.expires().get().isAfter(now)) {
            throw new RuleSetException(
                    "rule " + rule.id(),
                    List.of("expires: " + rule.expires().get() + " is not in the future (now is " + now + ")"));
        }
    }

    private static RuleSetException problem(String what) {
        return new RuleSetException(SOURCE, List.of(what));
    }
}

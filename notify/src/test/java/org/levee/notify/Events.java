package org.levee.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.levee.rules.AttackEvidence;
import org.levee.rules.StoredRule;
import org.levee.rules.testing.RandomRules;

/** Random notifications of every kind, from a seed, for the tests. */
final class Events {
    private Events() {}

    static Notification random(SplittableRandom random, EventKind kind, int n) {
        Instant at = Instant.ofEpochSecond(1_800_000_000L + random.nextInt(1 << 24), random.nextInt(1_000_000) * 1000L);
        Notification.Source source = random.nextBoolean()
                ? Notification.Source.node("edge-" + n, random.nextBoolean() ? "ams1" : "")
                : Notification.Source.controller("ctl-" + n);
        String id = kind.keyword() + "/" + n + "-" + Integer.toString(random.nextInt(1 << 20), 36);
        AttackEvidence evidence = RandomRules.evidence(random);
        return switch (kind) {
            case ATTACK_DETECTED, ATTACK_ENDED ->
                Notification.attack(
                        kind,
                        id,
                        at,
                        source,
                        evidence,
                        kind == EventKind.ATTACK_ENDED ? Optional.of("below the end level for 30s") : Optional.empty());
            case RULE_ADDED, RULE_RETIRED -> {
                StoredRule rule = RandomRules.stored(random, "auto-" + n);
                yield Notification.rule(
                        kind,
                        id,
                        at,
                        source,
                        rule,
                        random.nextBoolean() ? Optional.of(evidence) : Optional.empty(),
                        kind == EventKind.RULE_RETIRED ? Optional.of("attack over") : Optional.empty());
            }
            case NODE_LOST ->
                Notification.nodeLost(
                        id,
                        at,
                        source,
                        new Notification.NodeRef("ams1", "edge-" + n),
                        Optional.of(registration(n)),
                        "registration gone for 30s");
            case RULESET_REFUSED -> {
                ObjectNode refused = JsonNodeFactory.instance.objectNode();
                refused.put("reason", "load")
                        .put("version", 7 + n)
                        .put("revision", 100 + n)
                        .put("message", "verifier: ünïcödé \" quote")
                        .put("at", at.toString());
                yield Notification.rulesetRefused(
                        id,
                        at,
                        source,
                        new Notification.NodeRef("fra1", "edge-" + n),
                        refused,
                        random.nextBoolean() ? Optional.of(registration(n)) : Optional.empty());
            }
        };
    }

    static ObjectNode registration(int n) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("node", "edge-" + n)
                .put("datacenter", "ams1")
                .put("version", 7)
                .putObject("counters")
                .put("seen", 1000 + n);
        return r;
    }
}

package org.levee.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.StoredRule;

/**
 * One event worth telling someone about, with the evidence the API shows for it.
 * {@link NotificationJson} writes it (docs/operations.md, "Notifications", has the JSON); the
 * factories below make each kind with the fields it carries.
 *
 * @param id stable for the event: a retry, or a leader re-sending after a failover, carries the
 *     same id, so a receiver can drop what it has seen (no control characters)
 * @param kind what happened
 * @param at when it happened
 * @param source who reports it: a node, or the fleet's leading controller
 * @param destination the attacked host or aggregate ({@code 203.0.113.10/32}), for attacks and rules
 * @param trafficClass the attack's traffic class ({@code udp}, {@code tcp_syn}, …), for attacks and rules
 * @param rule the rule as stored (the stored-rule shape: the rule's fields, {@code created},
 *     {@code evidence}), for rule events
 * @param evidence the detector's evidence at this event: at detection, or at the end (the matched
 *     rate that stayed low); for a rule added, the evidence it was made with
 * @param reason why, in words (a rule retired, an edge lost)
 * @param node the edge concerned, for fleet events
 * @param registration the edge's registration as last seen (the store's registration JSON), for fleet events
 * @param refused the refusal as the edge reported it ({@code reason}, {@code version},
 *     {@code revision}, {@code message}, {@code at}), for {@link EventKind#RULESET_REFUSED}
 */
public record Notification(
        String id,
        EventKind kind,
        Instant at,
        Source source,
        Optional<String> destination,
        Optional<String> trafficClass,
        Optional<StoredRule> rule,
        Optional<AttackEvidence> evidence,
        Optional<String> reason,
        Optional<NodeRef> node,
        Optional<ObjectNode> registration,
        Optional<ObjectNode> refused) {

    /** The longest id: it becomes part of an etcd key in the fleet. */
    public static final int MAX_ID_LENGTH = 512;

    public Notification {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("notification id '" + id.replaceAll("\\p{Cntrl}", "?") + "' must be 1.."
                    + MAX_ID_LENGTH + " characters without control characters");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(trafficClass, "trafficClass");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(node, "node");
        registration = registration.map(ObjectNode::deepCopy);
        refused = refused.map(ObjectNode::deepCopy);
    }

    /**
     * Who reports: a node ({@code role} {@code node}, its name and data center) or a controller
     * ({@code role} {@code controller}, its name).
     */
    public record Source(String role, String name, Optional<String> datacenter) {
        public Source {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(datacenter, "datacenter");
        }

        /** A single node, {@code levee run}; {@code datacenter} empty when it has none. */
        public static Source node(String name, String datacenter) {
            return new Source("node", name, datacenter.isEmpty() ? Optional.empty() : Optional.of(datacenter));
        }

        /** The fleet's leading controller. */
        public static Source controller(String name) {
            return new Source("controller", name, Optional.empty());
        }
    }

    /** An edge of the fleet: its data center and name (its key {@code nodes/DATACENTER/NODE}). */
    public record NodeRef(String datacenter, String node) {
        public NodeRef {
            Objects.requireNonNull(datacenter, "datacenter");
            Objects.requireNonNull(node, "node");
        }

        @Override
        public String toString() {
            return node + " of " + datacenter;
        }
    }

    /** An attack detected or ended ({@code kind}), seen in {@code evidence}. */
    public static Notification attack(
            EventKind kind, String id, Instant at, Source source, AttackEvidence evidence, Optional<String> reason) {
        if (kind != EventKind.ATTACK_DETECTED && kind != EventKind.ATTACK_ENDED) {
            throw new IllegalArgumentException(kind.keyword() + " is not an attack event");
        }
        return new Notification(
                id,
                kind,
                at,
                source,
                Optional.of(evidence.destination()),
                Optional.of(evidence.trafficClass()),
                Optional.empty(),
                Optional.of(evidence),
                reason,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * A rule added or retired ({@code kind}); {@code evidence} is the evidence at this event (empty:
     * the rule's own).
     */
    public static Notification rule(
            EventKind kind,
            String id,
            Instant at,
            Source source,
            StoredRule rule,
            Optional<AttackEvidence> evidence,
            Optional<String> reason) {
        if (kind != EventKind.RULE_ADDED && kind != EventKind.RULE_RETIRED) {
            throw new IllegalArgumentException(kind.keyword() + " is not a rule event");
        }
        Optional<AttackEvidence> shown = evidence.or(rule::evidence);
        return new Notification(
                id,
                kind,
                at,
                source,
                shown.map(AttackEvidence::destination),
                shown.map(AttackEvidence::trafficClass),
                Optional.of(rule),
                shown,
                reason,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** An edge whose registration went and did not come back, with its last registration. */
    public static Notification nodeLost(
            String id, Instant at, Source source, NodeRef node, Optional<ObjectNode> registration, String reason) {
        return new Notification(
                id,
                EventKind.NODE_LOST,
                at,
                source,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(reason),
                Optional.of(node),
                registration,
                Optional.empty());
    }

    /** An edge that refused a rule set: its refusal and its registration. */
    public static Notification rulesetRefused(
            String id, Instant at, Source source, NodeRef node, ObjectNode refused, Optional<ObjectNode> registration) {
        return new Notification(
                id,
                EventKind.RULESET_REFUSED,
                at,
                source,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.ofNullable(refused.path("reason").textValue()),
                Optional.of(node),
                registration,
                Optional.of(refused));
    }

    /**
     * One line in words, for people and chat webhooks (the JSON's {@code text}):
     * {@code levee ams1/edge-1: rule auto-tp2dxk-1 drops the udp attack on 203.0.113.10/32 in all data centers}.
     */
    public String text() {
        String who = "levee " + source.datacenter().map(dc -> dc + "/").orElse("") + source.name() + ": ";
        String attack = trafficClass.orElse("?") + " attack on " + destination.orElse("?");
        return who
                + switch (kind) {
                    case ATTACK_DETECTED ->
                        attack + " detected"
                                + evidence.map(e -> " (" + e.trigger() + ", "
                                                + String.format(Locale.ROOT, "%.0f", e.packetsPerSecond()) + " pps)")
                                        .orElse("");
                    case RULE_ADDED ->
                        "rule " + rule.map(StoredRule::id).orElse("?") + " "
                                + rule.map(r -> does(r.rule().action())).orElse("acts on")
                                + " the " + attack
                                + rule.map(r -> r.rule().action() instanceof Action.RateLimit l
                                                ? " to " + l.pps() + " pps"
                                                : "")
                                        .orElse("")
                                + " in "
                                + rule.map(r -> r.rule().datacenters().isEmpty()
                                                ? "all data centers"
                                                : String.join(", ", r.rule().datacenters()))
                                        .orElse("?");
                    case RULE_RETIRED ->
                        "rule " + rule.map(StoredRule::id).orElse("?") + " for the " + attack + " retired"
                                + reason.map(r -> ": " + r).orElse("");
                    case ATTACK_ENDED ->
                        attack + " ended" + reason.map(r -> ": " + r).orElse("");
                    case NODE_LOST ->
                        "edge " + node.map(NodeRef::toString).orElse("?") + " lost"
                                + reason.map(r -> ": " + r).orElse("");
                    case RULESET_REFUSED ->
                        "edge " + node.map(NodeRef::toString).orElse("?") + " refused rule set version "
                                + refused.map(r -> r.path("version").asText("?"))
                                        .orElse("?")
                                + reason.map(r -> " (" + r + ")").orElse("")
                                + refused.map(r -> r.path("message").asText(""))
                                        .filter(m -> !m.isEmpty())
                                        .map(m -> ": " + m)
                                        .orElse("");
                };
    }

    private static String does(Action action) {
        return switch (action) {
            case Action.Drop d -> "drops";
            case Action.Pass p -> "passes";
            case Action.RateLimit r -> "rate-limits";
        };
    }
}

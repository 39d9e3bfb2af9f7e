package org.levee.agent.detect;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.levee.detector.Decision;
import org.levee.notify.EventKind;
import org.levee.notify.Notification;
import org.levee.notify.Notifier;
import org.levee.rules.AttackEvidence;
import org.levee.rules.StoredRule;

/**
 * A single node's notifications: the detector's decisions (attack detected, rule added, rule
 * retired, attack ended) and automatic rules that expired, as {@link Notification}s offered to the
 * {@link Notifier} — which never blocks the detection thread that calls this.
 *
 * <p>Ids: a rule's events are {@code rule_added/ID} and {@code rule_retired/ID} (the agent's rule
 * ids carry the run's tag, so they never repeat); an attack's are {@code attack_detected/KEY} and
 * {@code attack_ended/KEY} with the same KEY, {@code DESTINATION/CLASS/DETECTED} (the time of its
 * detection), so a receiver can pair them. Not thread-safe: the detection thread calls
 * {@link #decided}; {@link #expired} is synchronised with it.
 */
public final class NodeNotifications {
    private final Notifier notifier;
    private final Notification.Source source;
    /** The attacks under way by destination and class: their detection time, which their ids carry. */
    private final Map<String, Instant> detected = new HashMap<>();

    public NodeNotifications(Notifier notifier, String node, String datacenter) {
        this.notifier = notifier;
        this.source = Notification.Source.node(node, datacenter);
    }

    /**
     * Follows one decision; {@code rule} is the rule as the node stored it (for a rule added) or
     * as it was before its removal (for a rule retired), when the node had it.
     */
    public synchronized void decided(Decision d, Optional<StoredRule> rule, Instant now) {
        AttackEvidence evidence = d.attackEvidence();
        String key = evidence.destination() + "/" + evidence.trafficClass();
        switch (d.kind()) {
            case ATTACK_DETECTED -> {
                Instant at = detected.computeIfAbsent(key, k -> now);
                notifier.offer(Notification.attack(
                        EventKind.ATTACK_DETECTED,
                        "attack_detected/" + key + "/" + at,
                        now,
                        source,
                        evidence,
                        Optional.empty()));
            }
            case RULE_ADDED ->
                rule.ifPresent(r -> notifier.offer(Notification.rule(
                        EventKind.RULE_ADDED,
                        "rule_added/" + r.id(),
                        now,
                        source,
                        r,
                        Optional.of(evidence),
                        Optional.empty())));
            case NO_RULE -> {}
            case RULE_RETIRED -> {
                detected.remove(key);
                rule.ifPresent(r -> notifier.offer(Notification.rule(
                        EventKind.RULE_RETIRED,
                        "rule_retired/" + r.id(),
                        now,
                        source,
                        r,
                        Optional.of(evidence),
                        Optional.of("the attack is over: its matched rate stayed below "
                                + "the end level for the cool-down"))));
            }
            case ATTACK_ENDED -> {
                Instant at = detected.remove(key);
                notifier.offer(Notification.attack(
                        EventKind.ATTACK_ENDED,
                        "attack_ended/" + key + "/" + (at == null ? now : at),
                        now,
                        source,
                        evidence,
                        Optional.of("the attack's rate stayed below the end level for the cool-down")));
            }
            case RULE_WIDENED -> {} // only a fleet's rules are limited to data centers
        }
    }

    /** An automatic rule that expired (one kept from an earlier run: the detector of this one does not know it). */
    public synchronized void expired(StoredRule rule, Instant now) {
        notifier.offer(Notification.rule(
                EventKind.RULE_RETIRED,
                "rule_retired/" + rule.id(),
                now,
                source,
                rule,
                Optional.empty(),
                Optional.of("expired at "
                        + rule.rule().expires().map(Instant::toString).orElse("?"))));
    }
}

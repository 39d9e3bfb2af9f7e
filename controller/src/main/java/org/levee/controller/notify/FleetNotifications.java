package org.levee.controller.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.levee.controller.rules.AutoRuleSync;
import org.levee.controller.rules.FencedWrites;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.notify.EventKind;
import org.levee.notify.Notification;
import org.levee.notify.NotificationJson;
import org.levee.notify.Notifier;
import org.levee.rules.AttackEvidence;
import org.levee.rules.StoredRule;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.NotLeaderException;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.StoreException;

/**
 * The fleet's notifications, sent by the leading controller only, once per event — also across a
 * failover. Every controller follows the same events (its detector runs on the same samples, it
 * watches the same registrations), but only the leader records and sends them.
 *
 * <p><b>Once, across failovers: an outbox in etcd.</b> Each event has an id derived from what it
 * is about, the same on every controller: {@code rule_added/RULE} and {@code rule_retired/RULE},
 * {@code attack_detected/DEST/CLASS/DETECTED} and {@code attack_ended/…} (with the detection time
 * the first leader recorded), {@code node_lost/DC/NODE/CREATE_REVISION} (the lost registration's),
 * {@code ruleset_refused/DC/NODE/MANIFEST_REVISION}. Before sending, the leader writes the event
 * to {@code PREFIX notifications/pending/ID} in a fenced transaction that also requires that
 * neither that key nor {@code PREFIX notifications/sent/ID} exists: an event some leader already
 * recorded is not recorded (nor sent) again. A rule's event is written in the same transaction as
 * the rule itself, so the rule and its notification are never one without the other. When every
 * sink is done with it (delivered, or given up after its retries), the leader moves it to
 * {@code sent/ID}. A new leader first sends everything still under {@code pending/}: what its
 * predecessor recorded but may not have sent. So nothing recorded is lost, and an event is sent
 * twice only when a leader dies between delivering it and moving it to {@code sent/} — receivers
 * see the same id ({@code X-Levee-Event-Id}) and can drop the second. Ids derived from the rule id
 * alone would not do: a new leader could not tell what its predecessor sent.
 *
 * <p>An attack under way is kept at {@code PREFIX notifications/attacks/CLASS/DEST} (its id):
 * created with its {@code attack_detected}, deleted with its {@code attack_ended} or its rule's
 * retirement. A new leader compares these with its own detector: an attack it sees that none
 * recorded began while no one led (detected now), a recorded one it does not see ended meanwhile.
 * {@code sent/} keys are kept {@value #SENT_RETENTION_DAYS} days.
 *
 * <p>Not thread-safe: the controller's store thread calls everything but {@link #nodes}, which
 * hands its news to that thread.
 */
public final class FleetNotifications implements AutoRuleSync.RuleNotices {
    private static final System.Logger LOG = System.getLogger(FleetNotifications.class.getName());
    static final long SENT_RETENTION_DAYS = 7;
    private static final Duration COLLECT_EVERY = Duration.ofMinutes(1);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final EtcdClient client;
    private final String pending;
    private final String sent;
    private final String attacks;
    private final Notifier notifier;
    private final Notification.Source source;
    private final Clock clock;
    private final Executor storeThread;
    private final Duration nodeLostAfter;
    private final String identity;

    private Fence fence;
    /** Events that could not be recorded yet (etcd away): tried again every second while leading. */
    private final Map<String, Pending> unrecorded = new LinkedHashMap<>();
    /** Registrations present now, by key. */
    private Map<String, Edge> present = Map.of();
    /** Registrations that went, by key, with when they went. */
    private final Map<String, Gone> gone = new HashMap<>();
    /** Ids of node and refusal events this controller recorded or found recorded. */
    private final Set<String> settled = new HashSet<>();

    private Instant lastCollect = Instant.EPOCH;

    /** An event to record, with what goes with it in the same transaction. */
    private record Pending(Notification notification, List<Compare> conditions, List<Op> ops) {}

    /**
     * An edge's registration as the watch saw it: its key's create revision, its JSON, and the
     * refusal it reports, if any.
     */
    public record Edge(String datacenter, String node, long createRevision, ObjectNode registration) {
        Optional<ObjectNode> refused() {
            JsonNode r = registration.get("refused");
            return r != null && r.isObject() ? Optional.of((ObjectNode) r) : Optional.empty();
        }
    }

    private record Gone(Edge last, Instant since) {}

    /**
     * @param storeThread the controller's store thread, where a sink's outcome is handed back
     * @param nodeLostAfter how long a registration stays gone before its edge is reported lost
     */
    public FleetNotifications(
            EtcdClient client,
            FleetKeys keys,
            Notifier notifier,
            String identity,
            Clock clock,
            Executor storeThread,
            Duration nodeLostAfter) {
        this.client = client;
        this.pending = keys.prefix() + "notifications/pending/";
        this.sent = keys.prefix() + "notifications/sent/";
        this.attacks = keys.prefix() + "notifications/attacks/";
        this.notifier = notifier;
        this.identity = identity;
        this.source = Notification.Source.controller(identity);
        this.clock = clock;
        this.storeThread = storeThread;
        this.nodeLostAfter = nodeLostAfter;
    }

    /** The notifier the events go to. */
    public Notifier notifier() {
        return notifier;
    }

    // ---- leadership ---------------------------------------------------------------------------

    /**
     * This controller leads from now on: sends what a predecessor recorded and did not mark sent,
     * then reconciles the attacks under way with {@code underWay}, the detector's.
     *
     * @throws StoreException when etcd cannot be read (the caller tries again)
     */
    public void elected(Fence f, List<Detector.AttackState> underWay, long nowNanos) {
        fence = f;
        if (!enabled()) {
            return;
        }
        List<KeyValue> left =
                new ArrayList<>(client.get(KeyRange.prefix(pending)).kvs());
        left.sort(Comparator.comparingLong(KeyValue::createRevision));
        for (KeyValue kv : left) {
            try {
                Notification n = NotificationJson.parse(kv.key(), kv.value());
                LOG.log(
                        Level.INFO,
                        "notification {0} recorded by a previous leader and not marked sent: sending it",
                        n.id());
                send(n);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, e.getMessage() + ": not sent");
            }
        }
        reconcileAttacks(underWay, nowNanos);
    }

    /** This controller no longer leads: what is queued stays recorded, for the next leader to send. */
    public void deposed() {
        fence = null;
        unrecorded.clear();
        notifier.discardQueued();
    }

    private boolean enabled() {
        return !notifier.stats().isEmpty();
    }

    private void reconcileAttacks(List<Detector.AttackState> underWay, long nowNanos) {
        Map<String, KeyValue> recorded = new HashMap<>();
        for (KeyValue kv : client.get(KeyRange.prefix(attacks)).kvs()) {
            recorded.put(kv.key(), kv);
        }
        Instant now = clock.instant();
        for (Detector.AttackState a : underWay) {
            AttackEvidence e = a.evidence().toAttackEvidence(a.destination(), a.trafficClass());
            if (recorded.remove(attackKey(e)) == null) {
                detected(e, now.minusNanos(Math.max(0, nowNanos - a.detectedNanos())), now);
            }
        }
        for (KeyValue kv : recorded.values()) {
            String suffix = kv.valueUtf8();
            Optional<String[]> what = attackOf(kv.key());
            if (what.isEmpty()) {
                continue;
            }
            // Ended while no one led (or before this controller saw it): said so, with the little known.
            AttackEvidence e = new AttackEvidence(
                    what.get()[1],
                    what.get()[0],
                    "unknown",
                    0,
                    0,
                    null,
                    null,
                    0,
                    null,
                    null,
                    null,
                    0,
                    List.of(),
                    null,
                    "ended while no controller led: no evidence at its end");
            record(
                    Notification.attack(
                            EventKind.ATTACK_ENDED,
                            "attack_ended/" + suffix,
                            now,
                            source,
                            e,
                            Optional.of("no longer seen by " + identity + " when it took the lead")),
                    List.of(Compare.modifiedAt(kv.key(), kv.modRevision())),
                    List.of(Op.delete(kv.key())));
        }
    }

    // ---- detector events ----------------------------------------------------------------------

    /** Follows the detector's decisions, as leader: attacks detected and ended (rules: {@link #added}, {@link #retired}). */
    public void decisions(List<Decision> decisions) {
        if (fence == null || !enabled()) {
            return;
        }
        Instant now = clock.instant();
        for (Decision d : decisions) {
            AttackEvidence e = d.attackEvidence();
            switch (d.kind()) {
                case ATTACK_DETECTED -> detected(e, now, now);
                case ATTACK_ENDED -> ended(e, now, true);
                case RULE_RETIRED -> ended(e, now, false); // the rule's retirement says it
                default -> {}
            }
        }
    }

    private void detected(AttackEvidence e, Instant detectedAt, Instant now) {
        String key = attackKey(e);
        String suffix = e.destination() + "/" + e.trafficClass() + "/" + detectedAt;
        record(
                Notification.attack(
                        EventKind.ATTACK_DETECTED, "attack_detected/" + suffix, now, source, e, Optional.empty()),
                List.of(Compare.absent(key)),
                List.of(Op.put(key, suffix.getBytes(StandardCharsets.UTF_8))));
    }

    private void ended(AttackEvidence e, Instant now, boolean notify) {
        String key = attackKey(e);
        Optional<KeyValue> open;
        try {
            open = client.get(key);
        } catch (StoreException ex) {
            LOG.log(Level.WARNING, "cannot read " + key + " (" + ex.getMessage() + "): its end is not notified");
            return;
        }
        if (open.isEmpty()) {
            return; // never recorded (kinds not wanted), or ended already
        }
        List<Compare> when = List.of(Compare.modifiedAt(key, open.get().modRevision()));
        if (!notify) {
            write(when, List.of(Op.delete(key)));
            return;
        }
        record(
                Notification.attack(
                        EventKind.ATTACK_ENDED,
                        "attack_ended/" + open.get().valueUtf8(),
                        now,
                        source,
                        e,
                        Optional.of("the attack's rate stayed below the end level for the cool-down")),
                when,
                List.of(Op.delete(key)));
    }

    private String attackKey(AttackEvidence e) {
        return attacks + e.trafficClass() + "/" + e.destination();
    }

    /** {class, destination} of an attack's key. */
    private Optional<String[]> attackOf(String key) {
        if (!key.startsWith(attacks)) {
            return Optional.empty();
        }
        String rest = key.substring(attacks.length());
        int slash = rest.indexOf('/');
        return slash < 0
                ? Optional.empty()
                : Optional.of(new String[] {rest.substring(0, slash), rest.substring(slash + 1)});
    }

    // ---- rules (AutoRuleSync writes them with the rule) ---------------------------------------

    @Override
    public Optional<Notification> added(StoredRule rule) {
        if (fence == null || !notifier.wants(EventKind.RULE_ADDED)) {
            return Optional.empty();
        }
        return Optional.of(Notification.rule(
                EventKind.RULE_ADDED,
                "rule_added/" + rule.id(),
                clock.instant(),
                source,
                rule,
                Optional.empty(),
                Optional.empty()));
    }

    @Override
    public Optional<Notification> retired(StoredRule rule, Optional<AttackEvidence> atEnd) {
        if (fence == null || !notifier.wants(EventKind.RULE_RETIRED)) {
            return Optional.empty();
        }
        return Optional.of(Notification.rule(
                EventKind.RULE_RETIRED,
                "rule_retired/" + rule.id(),
                clock.instant(),
                source,
                rule,
                atEnd,
                Optional.of("the attack is over: its matched rate stayed below the end level for the cool-down")));
    }

    @Override
    public Op recordOp(Notification n) {
        return Op.put(pending + n.id(), NotificationJson.toBytes(n));
    }

    @Override
    public void recorded(Notification n) {
        send(n);
    }

    // ---- edges --------------------------------------------------------------------------------

    /** The registrations now (from the watch's thread): handed to the store thread. */
    public void nodes(Map<String, Edge> now) {
        Map<String, Edge> copy = Map.copyOf(now);
        try {
            storeThread.execute(() -> seen(copy));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void seen(Map<String, Edge> now) {
        Instant t = clock.instant();
        for (Map.Entry<String, Edge> e : present.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                gone.put(e.getKey(), new Gone(e.getValue(), t));
            }
        }
        now.keySet().forEach(gone::remove);
        present = now;
        check();
    }

    /** Every second, as leader: lost edges and refusals to record, records to retry, old sent keys. */
    public void upkeep() {
        if (fence == null) {
            return;
        }
        for (Pending p : new ArrayList<>(unrecorded.values())) {
            unrecorded.remove(p.notification().id());
            record(p.notification(), p.conditions(), p.ops());
        }
        check();
        Instant now = clock.instant();
        if (fence != null && Duration.between(lastCollect, now).compareTo(COLLECT_EVERY) >= 0) {
            lastCollect = now;
            collectSent(now);
        }
    }

    private void check() {
        if (fence == null) {
            return;
        }
        Instant now = clock.instant();
        for (Gone g : gone.values()) {
            String id = "node_lost/" + g.last().datacenter() + "/" + g.last().node() + "/"
                    + g.last().createRevision();
            if (!settled.contains(id)
                    && !g.since().plus(nodeLostAfter).isAfter(now)
                    && notifier.wants(EventKind.NODE_LOST)) {
                settled.add(id);
                record(
                        Notification.nodeLost(
                                id,
                                now,
                                source,
                                new Notification.NodeRef(
                                        g.last().datacenter(), g.last().node()),
                                Optional.of(g.last().registration()),
                                "its registration has been gone for "
                                        + Duration.between(g.since(), now).toSeconds()
                                        + " s (its lease expired: the edge or its "
                                        + "link to etcd is down)"),
                        List.of(),
                        List.of());
            }
        }
        for (Edge e : present.values()) {
            Optional<ObjectNode> refused = e.refused();
            if (refused.isEmpty() || !notifier.wants(EventKind.RULESET_REFUSED)) {
                continue;
            }
            String id = "ruleset_refused/" + e.datacenter() + "/" + e.node() + "/"
                    + refused.get().path("revision").asText("?");
            if (settled.add(id)) {
                record(
                        Notification.rulesetRefused(
                                id,
                                now,
                                source,
                                new Notification.NodeRef(e.datacenter(), e.node()),
                                refused.get(),
                                Optional.of(e.registration())),
                        List.of(),
                        List.of());
            }
        }
    }

    // ---- the outbox ---------------------------------------------------------------------------

    /**
     * Records {@code n} (with {@code ops}, if {@code conditions} hold) unless some leader recorded
     * it already, then sends it.
     *
     * @throws NotLeaderException when the fence no longer holds
     */
    private void record(Notification n, List<Compare> conditions, List<Op> ops) {
        if (fence == null || !enabled()) {
            return;
        }
        boolean wanted = notifier.wants(n.kind());
        List<Compare> when = new ArrayList<>(conditions);
        List<Op> then = new ArrayList<>(ops);
        if (wanted) {
            when.add(Compare.absent(pending + n.id()));
            when.add(Compare.absent(sent + n.id()));
            then.add(recordOp(n));
        }
        if (then.isEmpty()) {
            return;
        }
        try {
            long revision = FencedWrites.write(client, fence, when, then);
            if (revision < 0) {
                LOG.log(Level.DEBUG, "notification {0}: recorded already", n.id());
                return;
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "notification " + n.id() + " not recorded yet, trying again: " + e.getMessage());
            unrecorded.put(n.id(), new Pending(n, conditions, ops));
            return;
        }
        if (wanted) {
            send(n);
        }
    }

    private void write(List<Compare> when, List<Op> then) {
        try {
            FencedWrites.write(client, fence, when, then);
        } catch (StoreException e) {
            LOG.log(Level.DEBUG, "notifications: " + e.getMessage());
        }
    }

    private void send(Notification n) {
        Fence sentBy = fence;
        notifier.offer(n, outcomes -> {
            if (outcomes.isEmpty() || outcomes.values().stream().allMatch(o -> o == Notifier.Outcome.DISCARDED)) {
                return; // taken back: still pending for the next leader
            }
            try {
                storeThread.execute(() -> markSent(n, outcomes, sentBy));
            } catch (RejectedExecutionException e) {
                // stopping: it stays pending, the next leader sends it again
            }
        });
    }

    private void markSent(Notification n, Map<String, Notifier.Outcome> outcomes, Fence sentBy) {
        if (fence == null || fence != sentBy) {
            return;
        }
        ObjectNode v = JsonNodeFactory.instance.objectNode();
        v.put("at", clock.instant().toString());
        v.put("controller", identity);
        ObjectNode o = v.putObject("outcomes");
        outcomes.forEach((sink, outcome) -> o.put(sink, outcome.name().toLowerCase(java.util.Locale.ROOT)));
        try {
            FencedWrites.write(
                    client,
                    fence,
                    List.of(),
                    List.of(
                            Op.delete(pending + n.id()),
                            Op.put(sent + n.id(), v.toString().getBytes(StandardCharsets.UTF_8))));
        } catch (NotLeaderException e) {
            fence = null;
        } catch (StoreException e) {
            LOG.log(
                    Level.WARNING,
                    "notification " + n.id() + " sent, but not marked so (" + e.getMessage()
                            + "): the next leader may send it again");
        }
    }

    private void collectSent(Instant now) {
        Instant limit = now.minus(Duration.ofDays(SENT_RETENTION_DAYS));
        try {
            for (KeyValue kv : client.get(KeyRange.prefix(sent)).kvs()) {
                Instant at;
                try {
                    at = Instant.parse(JSON.readTree(kv.value()).path("at").asText());
                } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
                    at = Instant.EPOCH; // unreadable: old enough
                }
                if (at.isBefore(limit)) {
                    write(List.of(Compare.modifiedAt(kv.key(), kv.modRevision())), List.of(Op.delete(kv.key())));
                }
            }
        } catch (StoreException e) {
            LOG.log(Level.DEBUG, "notifications: " + e.getMessage());
        }
    }
}

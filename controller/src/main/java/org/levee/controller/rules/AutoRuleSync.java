package org.levee.controller.rules;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.controller.detect.DetectionEngine;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.notify.Notification;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.NotLeaderException;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.StoreException;

/**
 * Keeps the automatic rules in etcd equal to the detector's, on the leader: a rule the detector
 * adds is written to {@code PREFIX rules/ID} (with its evidence), a rule it retires is deleted.
 * Every controller's detector runs on the same samples, but only the leader writes.
 *
 * <p>When it becomes leader, it first adopts the automatic rules already in etcd that another
 * controller made ({@link Detector#adopt}: by their evidence's destination and traffic class), so
 * an attack keeps its one rule across a failover and the new leader retires it when the attack is
 * over; where its own warm detector made a rule for the same attack, the adopted rule replaces it.
 * Then it writes the detector's rules etcd does not have, and deletes rules of its own run that the
 * detector no longer has. A rule someone else deletes (an operator with etcdctl) is forgotten by
 * the detector, which makes a new one if the attack goes on.
 *
 * <p>Writes that fail (etcd away) stay pending and are tried again ({@link #flush}); every write
 * is fenced. Not thread-safe: the controller's store thread calls it.
 */
public final class AutoRuleSync {
    private static final System.Logger LOG = System.getLogger(AutoRuleSync.class.getName());

    /**
     * The notifications of rule changes, written in the same transaction as the change: a rule
     * and its notification are never one without the other.
     */
    public interface RuleNotices {
        /** None. */
        RuleNotices NONE = new RuleNotices() {
            @Override
            public Optional<Notification> added(StoredRule rule) {
                return Optional.empty();
            }

            @Override
            public Optional<Notification> retired(StoredRule rule, Optional<AttackEvidence> atEnd) {
                return Optional.empty();
            }

            @Override
            public Op recordOp(Notification n) {
                throw new IllegalStateException("no notifications");
            }

            @Override
            public void recorded(Notification n) {}
        };

        /** The notification of {@code rule} written to the store, if one is wanted. */
        Optional<Notification> added(StoredRule rule);

        /** The notification of {@code rule} retired ({@code atEnd}: the evidence at the end), if one is wanted. */
        Optional<Notification> retired(StoredRule rule, Optional<AttackEvidence> atEnd);

        /** The write that records {@code n} with the change. */
        Op recordOp(Notification n);

        /** The change and {@code n} are written: send it. */
        void recorded(Notification n);
    }

    /** A rule the detector retired, with its evidence at the end, until its delete is written. */
    private record Retiring(StoredRule rule, AttackEvidence atEnd) {}

    private final EtcdClient client;
    private final FleetKeys keys;
    private final DetectionEngine engine;
    private final String ownPrefix;
    private final Clock clock;
    /** The detector's automatic rules, own and adopted, as stored: created time and evidence stay put. */
    private final Map<String, StoredRule> managed = new LinkedHashMap<>();

    private final Map<String, StoredRule> pendingPuts = new LinkedHashMap<>();
    private final Set<String> pendingDeletes = new LinkedHashSet<>();
    /** Revisions at which each managed rule was known to be in etcd (written by us, or seen when adopted). */
    private final Map<String, Long> inStoreAt = new HashMap<>();
    /** Revisions of our deletes: an older snapshot that still shows the rule must not bring it back. */
    private final Map<String, Long> deletedAt = new HashMap<>();
    /** Rules that could not be adopted, with the revision of the value refused (logged once). */
    private final Map<String, Long> refused = new HashMap<>();

    /** The etcd revision of the last rule this controller wrote or deleted (0: none yet). */
    private long lastWriteRevision;

    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong adopted = new AtomicLong();
    private final Map<String, Retiring> retiring = new HashMap<>();
    private final RuleNotices notices;
    private Fence fence;
    private RuleCatalog.Sources latest;

    /**
     * @param ownPrefix what the ids of this controller's detector rules start with ({@code auto-<run>-})
     */
    public AutoRuleSync(EtcdClient client, FleetKeys keys, DetectionEngine engine, String ownPrefix, Clock clock) {
        this(client, keys, engine, ownPrefix, clock, RuleNotices.NONE);
    }

    /** @param notices the notifications written with each rule added or retired */
    public AutoRuleSync(
            EtcdClient client,
            FleetKeys keys,
            DetectionEngine engine,
            String ownPrefix,
            Clock clock,
            RuleNotices notices) {
        this.notices = notices;
        this.client = client;
        this.keys = keys;
        this.engine = engine;
        this.ownPrefix = ownPrefix;
        this.clock = clock;
    }

    /** Follows the detector's decisions: rules to write or delete (as leader), and to remember (always). */
    public void decisions(List<Decision> decisions) {
        for (Decision d : decisions) {
            switch (d.kind()) {
                case RULE_ADDED -> {
                    StoredRule stored = new StoredRule(d.rule(), clock.instant(), Optional.of(d.attackEvidence()));
                    managed.put(d.rule().id(), stored);
                    if (fence != null) {
                        pendingDeletes.remove(d.rule().id());
                        pendingPuts.put(d.rule().id(), stored);
                    }
                }
                case RULE_WIDENED -> {
                    // The same rule in more data centers: written again, with its created time and evidence.
                    StoredRule was = managed.get(d.rule().id());
                    if (was != null) {
                        StoredRule stored = new StoredRule(d.rule(), was.created(), was.evidence());
                        managed.put(d.rule().id(), stored);
                        if (fence != null) {
                            pendingPuts.put(d.rule().id(), stored);
                        }
                    }
                }
                case RULE_RETIRED -> {
                    StoredRule was = managed.remove(d.rule().id());
                    if (fence != null) {
                        pendingPuts.remove(d.rule().id());
                        pendingDeletes.add(d.rule().id());
                        if (was != null) {
                            retiring.put(d.rule().id(), new Retiring(was, d.attackEvidence()));
                        }
                    }
                }
                default -> {}
            }
        }
    }

    /** The evidence automatic rule {@code id} was stored with, if this controller manages it. */
    public Optional<AttackEvidence> evidenceOf(String id) {
        StoredRule r = managed.get(id);
        return r == null ? Optional.empty() : r.evidence();
    }

    /** This controller leads from now on, writing under {@code newFence}; {@code current} is etcd's rules now. */
    public void elected(Fence newFence, RuleCatalog.Sources current) {
        fence = newFence;
        pendingPuts.clear();
        pendingDeletes.clear();
        retiring.clear();
        sources(current);
    }

    /** This controller no longer leads: nothing more is written; the detector stays warm. */
    public void deposed() {
        fence = null;
        pendingPuts.clear();
        pendingDeletes.clear();
        retiring.clear();
    }

    public boolean leading() {
        return fence != null;
    }

    /** The rules under {@code PREFIX rules/} changed (or were read again): reconcile, as leader. */
    public void sources(RuleCatalog.Sources s) {
        if (latest == null || s.revision() >= latest.revision()) {
            latest = s;
        }
        if (fence == null) {
            return;
        }
        Set<String> problemKeys = new HashSet<>();
        s.problems().forEach(p -> problemKeys.add(p.key()));
        // Rules deleted by someone else after we knew them in etcd: the detector lets them go.
        for (String id : new ArrayList<>(managed.keySet())) {
            Long at = inStoreAt.get(id);
            if (at != null
                    && s.revision() >= at
                    && !s.rules().containsKey(id)
                    && !problemKeys.contains(keys.rule(id))
                    && !pendingPuts.containsKey(id)) {
                engine.forget(id);
                managed.remove(id);
                inStoreAt.remove(id);
                LOG.log(Level.INFO, "automatic rule {0} was deleted from the store: the detector forgets it", id);
            }
        }
        // Rules another controller made: adopted, so that each attack keeps one rule.
        for (StoredRule r : s.rules().values()) {
            String id = r.id();
            if (r.rule().origin() != Origin.AUTO
                    || id.startsWith(ownPrefix)
                    || managed.containsKey(id)
                    || pendingDeletes.contains(id)
                    || deletedAt.getOrDefault(id, -1L) >= s.revision()) {
                continue;
            }
            long modRevision = s.values().get(id).modRevision();
            if (refused.getOrDefault(id, -1L) == modRevision) {
                continue;
            }
            if (r.evidence().isEmpty()) {
                refused.put(id, modRevision);
                LOG.log(
                        Level.INFO,
                        "automatic rule {0} has no evidence: kept as it is, the detector cannot retire it",
                        id);
                continue;
            }
            Detector.Adoption adoption = engine.adopt(r.rule(), r.evidence().get());
            switch (adoption.outcome()) {
                case ADOPTED, KNOWN -> {
                    managed.put(id, r);
                    inStoreAt.put(id, modRevision);
                    adopted.incrementAndGet();
                    LOG.log(
                            Level.INFO,
                            "adopted automatic rule {0} ({1} attack on {2}): retired when the attack is over",
                            id,
                            r.evidence().get().trafficClass(),
                            r.evidence().get().destination());
                }
                case MERGED -> {
                    String replaced = adoption.replaced().orElseThrow();
                    managed.remove(replaced);
                    pendingPuts.remove(replaced);
                    pendingDeletes.add(replaced);
                    managed.put(id, r);
                    inStoreAt.put(id, modRevision);
                    adopted.incrementAndGet();
                    LOG.log(
                            Level.INFO,
                            "adopted automatic rule {0} ({1} attack on {2}) in place of this detector''s own {3}",
                            id,
                            r.evidence().get().trafficClass(),
                            r.evidence().get().destination(),
                            replaced);
                }
                case REFUSED -> {
                    refused.put(id, modRevision);
                    LOG.log(Level.INFO, "automatic rule {0} kept as it is, not adopted: {1}", id, adoption.reason());
                }
            }
        }
        // Rules of this run the detector no longer has (a retirement whose delete was lost).
        for (StoredRule r : s.rules().values()) {
            if (r.id().startsWith(ownPrefix)
                    && !managed.containsKey(r.id())
                    && !pendingPuts.containsKey(r.id())
                    && deletedAt.getOrDefault(r.id(), -1L) < s.revision()) {
                pendingDeletes.add(r.id());
            }
        }
        // The detector's rules etcd never had (made while following, or a put that failed).
        for (StoredRule r : managed.values()) {
            if (!s.rules().containsKey(r.id()) && !inStoreAt.containsKey(r.id()) && !pendingDeletes.contains(r.id())) {
                pendingPuts.putIfAbsent(r.id(), r);
            }
        }
        deletedAt
                .entrySet()
                .removeIf(e -> s.revision() >= e.getValue() && !s.rules().containsKey(e.getKey()));
        refused.keySet().retainAll(s.rules().keySet());
    }

    /**
     * Writes what is pending, as leader. Returns true when nothing is left pending (false: etcd
     * failed, try again later).
     *
     * @throws NotLeaderException when the fence no longer holds (nothing more is written)
     */
    public boolean flush() {
        if (fence == null) {
            return true;
        }
        try {
            for (String id : new ArrayList<>(pendingDeletes)) {
                Retiring r = retiring.get(id);
                // Only a rule still in the store is retired now (and notified): one an operator deleted is gone
                // already.
                boolean inStore = latest == null || latest.values().containsKey(id) || inStoreAt.containsKey(id);
                Optional<Notification> notice =
                        r == null || !inStore ? Optional.empty() : notices.retired(r.rule(), Optional.of(r.atEnd()));
                List<Op> ops = new ArrayList<>(List.of(Op.delete(keys.rule(id))));
                notice.ifPresent(n -> ops.add(notices.recordOp(n)));
                long revision = FencedWrites.write(client, fence, List.of(), ops);
                lastWriteRevision = Math.max(lastWriteRevision, revision);
                writes.incrementAndGet();
                retiring.remove(id);
                notice.ifPresent(notices::recorded);
                pendingDeletes.remove(id);
                inStoreAt.remove(id);
                deletedAt.put(id, revision);
            }
            for (StoredRule r : new ArrayList<>(pendingPuts.values())) {
                byte[] value = StoredRuleCodec.toBytes(r);
                KeyValue stored = latest == null ? null : latest.values().get(r.id());
                long revision;
                if (stored != null && Arrays.equals(stored.value(), value)) {
                    revision = stored.modRevision();
                } else {
                    Optional<Notification> notice = stored != null ? Optional.empty() : notices.added(r);
                    List<Op> ops = new ArrayList<>(List.of(Op.put(keys.rule(r.id()), value)));
                    notice.ifPresent(n -> ops.add(notices.recordOp(n)));
                    revision = FencedWrites.write(client, fence, List.of(), ops);
                    lastWriteRevision = Math.max(lastWriteRevision, revision);
                    writes.incrementAndGet();
                    notice.ifPresent(notices::recorded);
                }
                pendingPuts.remove(r.id());
                inStoreAt.put(r.id(), revision);
            }
            return true;
        } catch (NotLeaderException e) {
            deposed();
            throw e;
        } catch (StoreException e) {
            writeFailures.incrementAndGet();
            LOG.log(
                    Level.WARNING,
                    "automatic rules not written yet (" + (pendingPuts.size() + pendingDeletes.size())
                            + " changes pending, retrying): " + e.getMessage());
            return false;
        }
    }

    /** True when writes are waiting to be retried. */
    public boolean pending() {
        return !pendingPuts.isEmpty() || !pendingDeletes.isEmpty();
    }

    /** The etcd revision of the last automatic rule this controller put or deleted; 0 before any. */
    public long lastWriteRevision() {
        return lastWriteRevision;
    }

    /** Puts and deletes of automatic rules written so far. */
    public long writes() {
        return writes.get();
    }

    /** Rounds of writes that failed (etcd away). */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** Rules adopted from the store so far. */
    public long adopted() {
        return adopted.get();
    }
}

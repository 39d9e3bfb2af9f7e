package org.levee.store;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.RangeResult;

/**
 * Removes objects no manifest points at, once they have been unreferenced for a grace period
 * (edges that saw the previous manifest may still be fetching its object). The leader runs
 * {@link #collect()} from time to time. This collector remembers when it first saw each object
 * unreferenced; a new leader starts counting afresh, which only delays removal.
 *
 * <p>The delete is a transaction on two conditions: the manifest has not changed since it was
 * read, and no chunk of the object was written since the object keys were listed. A controller
 * that publishes the same object again rewrites its chunks, so a collection can never remove an
 * object that a new manifest is about to point at.
 */
public final class ObjectCollector {
    private static final System.Logger LOG = System.getLogger("org.levee.store");
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);

    /**
     * What one collection found.
     *
     * @param inUse the digest the manifest names, if there is a manifest
     * @param deleted objects removed now
     * @param waiting unreferenced objects still within their grace period
     */
    public record Collection(Optional<String> inUse, List<String> deleted, List<String> waiting) {}

    /** An unreferenced object, with the revisions that a delete must check. */
    record Candidate(String sha256, long manifestModRevision, long listedAt, Instant unreferencedSince) {}

    private final EtcdClient client;
    private final FleetKeys keys;
    private final Duration grace;
    private final InstantSource clock;
    private final Map<String, Instant> unreferencedSince = new HashMap<>();

    public ObjectCollector(EtcdClient client, FleetKeys keys, Duration grace) {
        this(client, keys, grace, InstantSource.system());
    }

    public ObjectCollector(EtcdClient client, FleetKeys keys, Duration grace, InstantSource clock) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("object grace period " + grace + " is negative");
        }
        this.client = client;
        this.keys = keys;
        this.grace = grace;
        this.clock = clock;
    }

    /** One collection: finds unreferenced objects and deletes those past the grace period. */
    public synchronized Collection collect() {
        Optional<Scan> scan = scan();
        if (scan.isEmpty()) {
            return new Collection(Optional.empty(), List.of(), List.of());
        }
        List<String> deleted = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (Candidate c : scan.get().candidates()) {
            if (Duration.between(c.unreferencedSince(), clock.instant()).compareTo(grace) >= 0 && delete(c)) {
                deleted.add(c.sha256());
            } else {
                waiting.add(c.sha256());
            }
        }
        return new Collection(scan.get().inUse(), deleted, waiting);
    }

    /** The manifest's object and the unreferenced ones. */
    record Scan(Optional<String> inUse, List<Candidate> candidates) {}

    /**
     * Reads the manifest, then lists the objects; empty when the manifest cannot be decoded (then
     * nothing is known to be unreferenced).
     */
    synchronized Optional<Scan> scan() {
        Optional<KeyValue> manifest = client.get(keys.ruleset());
        Optional<String> inUse;
        try {
            inUse = manifest.map(
                    kv -> RulesetStore.decode(kv).manifest().object().sha256());
        } catch (BadManifestException e) {
            LOG.log(Level.WARNING, "object collection skipped: " + e.getMessage());
            return Optional.empty();
        }
        long manifestRevision = manifest.map(KeyValue::modRevision).orElse(0L);
        RangeResult listing = client.keys(KeyRange.prefix(keys.objects()));
        Map<String, Long> objects = new TreeMap<>();
        for (KeyValue kv : listing.kvs()) {
            String rest = kv.key().substring(keys.objects().length());
            int slash = rest.indexOf('/');
            if (slash > 0 && isSha256(rest.substring(0, slash))) { // objects/<sha256>/<n>; anything else is not ours
                objects.merge(rest.substring(0, slash), kv.modRevision(), Math::max);
            }
        }
        Instant now = clock.instant();
        unreferencedSince.keySet().removeIf(sha -> !objects.containsKey(sha) || inUse.equals(Optional.of(sha)));
        List<Candidate> candidates = new ArrayList<>();
        for (String sha : objects.keySet()) {
            if (!inUse.equals(Optional.of(sha))) {
                Instant since = unreferencedSince.computeIfAbsent(sha, s -> now);
                candidates.add(new Candidate(sha, manifestRevision, listing.revision(), since));
            }
        }
        return Optional.of(new Scan(inUse, candidates));
    }

    private static boolean isSha256(String text) {
        try {
            ObjectRef.checkSha256(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Deletes the candidate's chunks if neither the manifest nor the chunks changed since they were read. */
    synchronized boolean delete(Candidate c) {
        boolean done = client.txn(
                        List.of(
                                Compare.modifiedAt(keys.ruleset(), c.manifestModRevision()),
                                Compare.unmodifiedSince(KeyRange.prefix(keys.object(c.sha256())), c.listedAt())),
                        List.of(Op.deletePrefix(keys.object(c.sha256()))),
                        List.of())
                .succeeded();
        if (done) {
            unreferencedSince.remove(c.sha256());
        }
        return done;
    }
}

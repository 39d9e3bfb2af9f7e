package org.levee.agent.fleet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.Status;
import org.levee.dataplane.XdpDataPlane;
import org.levee.dataplane.object.RuleInfo;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.object.RuleSetObjectException;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.BpfException;
import org.levee.rules.RuleSet;
import org.levee.store.BadManifestException;
import org.levee.store.BadObjectException;
import org.levee.store.PublishedManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.Backoff;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.StoreException;
import org.levee.store.etcd.WatchState;
import org.levee.store.etcd.WatchUpdate;
import org.levee.store.signing.BadSignatureException;
import org.levee.store.signing.KeyId;
import org.levee.store.signing.ManifestSignature;
import org.levee.store.signing.ManifestVerifier;
import org.levee.store.signing.TrustedKey;

/**
 * Keeps the edge's main program on the fleet's rule set: watches the manifest at
 * {@code PREFIX ruleset} ({@link PrefixWatch}: Levee's own loop, which re-reads and watches again
 * after stream failures, etcd restarts and compactions), fetches the object it names (retrying
 * while etcd cannot be reached), checks it against the manifest (chunks, size, SHA-256: {@link
 * RulesetStore#fetch}; then that it is a rule-set object whose rules are the manifest's), and
 * swaps it in specialised for the edge's data center. An edge that trusts signing keys first
 * checks that the manifest is signed by one of them ({@link ManifestVerifier}), from etcd and from
 * its state directory alike, so that whoever can write to etcd (or to the state directory) but has
 * no signing key cannot choose the program it runs. Each applied set is kept as the last good
 * one ({@link LastGoodRuleset}). A set that fails any check is refused — logged, counted by
 * {@link Refusal}, remembered so it is not tried again until the manifest is written again — and
 * the running program stays. When a rule of the running set expires, the same object is
 * specialised again: expiry holds with no controller up.
 *
 * <p>Fail static: nothing here detaches or empties the program because etcd is away. Started
 * with the last good set on disk, the edge runs it at once; without one, it keeps a program a
 * previous run left attached, or attaches an empty set (so that samples flow). A manifest that
 * disappears from etcd is logged and the program kept.
 *
 * <p>Threads: the watch's thread only records the newest manifest; one worker,
 * {@code levee-fleet-apply}, fetches and swaps, one set at a time, newest first (a set still
 * being fetched when a newer manifest arrives is given up), and re-specialises on expiry.
 */
public final class RulesetFollower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RulesetFollower.class.getName());

    /** What an edge hears from its follower. */
    public interface Listener {
        /**
         * The running set changed: a new set or the same set specialised again ({@code swapped}), or
         * the manifest of the object running taken as the one in force (nothing swapped).
         */
        void applied(RunningRuleset running, boolean swapped);

        /** A published set was refused; the running program stays. */
        void refused(Refusal reason, String message);
    }

    /**
     * The last refusal.
     *
     * @param reason why
     * @param message the log line's detail
     * @param version the refused manifest's version (0 when it could not be read)
     * @param revision the manifest's etcd revision (0 when it never got as far as a manifest, or
     *     for the last good set refused on start)
     * @param at when
     */
    public record Refused(Refusal reason, String message, long version, long revision, Instant at) {}

    private final XdpDataPlane dataPlane;
    private final String datacenter;
    private final EtcdClient client;
    private final RulesetStore store;
    private final LastGoodRuleset lastGood;
    private final Optional<ManifestVerifier> verifier;
    private final Clock clock;
    private final Listener listener;
    private final Object lock = new Object();
    private final Thread worker;
    private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);

    private volatile RunningRuleset running;
    private volatile Refused lastRefused;
    /** The last refusal is the edge's latest decision on a manifest (no set taken since). */
    private volatile boolean refusalStanding;

    private volatile long lastGoodSaveFailures;
    private PrefixWatch watch;
    // Guarded by lock.
    private PublishedManifest pending;
    private long refusedRevision;
    private boolean sawNoManifest;
    private boolean closed;

    /**
     * @param dataPlane the edge's data plane (its main program is this follower's)
     * @param datacenter the edge's data center, for which every object is specialised
     * @param client etcd
     * @param store the rule sets in etcd
     * @param lastGood the last good set on disk
     * @param verifier the keys a manifest must be signed with, if any; empty: signatures are not
     *     checked (unsigned manifests are applied)
     * @param clock for expiry and the applied times
     * @param listener told of every swap and refusal, on the worker's thread
     */
    public RulesetFollower(
            XdpDataPlane dataPlane,
            String datacenter,
            EtcdClient client,
            RulesetStore store,
            LastGoodRuleset lastGood,
            Optional<ManifestVerifier> verifier,
            Clock clock,
            Listener listener) {
        this.dataPlane = Objects.requireNonNull(dataPlane, "dataPlane");
        this.datacenter = Objects.requireNonNull(datacenter, "datacenter");
        this.client = Objects.requireNonNull(client, "client");
        this.store = Objects.requireNonNull(store, "store");
        this.lastGood = Objects.requireNonNull(lastGood, "lastGood");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        for (Refusal r : Refusal.values()) {
            refusals.put(r, new LongAdder()); // filled once: read by any thread afterwards
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.worker = Thread.ofPlatform().name("levee-fleet-apply").daemon().unstarted(this::work);
    }

    /**
     * Puts a program in place before anything else runs: the last good set from the state
     * directory (its manifest's signature checked with the keys trusted now, when there are any),
     * else the program a previous run left attached, else an empty set. Does not need etcd.
     *
     * @param sampleRate N of the sampler for a first attach
     * @throws DataplaneException (or the kernel's refusal) when not even that can be attached
     */
    public RunningRuleset restore(int sampleRate) {
        Optional<LastGoodRuleset.Saved> saved = Optional.empty();
        try {
            saved = lastGood.load();
        } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "the last good rule set cannot be used: " + e.getMessage());
        }
        if (saved.isPresent() && verifier.isPresent()) {
            LastGoodRuleset.Saved s = saved.get();
            try {
                verifier.get()
                        .verify(
                                s.manifestJson(),
                                s.manifest(),
                                lastGood.manifestFile().toString());
            } catch (BadSignatureException e) {
                LOG.log(Level.WARNING, "the last good rule set cannot be used: " + e.getMessage());
                record(
                        Refusal.SIGNATURE,
                        "the last good rule set: " + e.getMessage(),
                        s.manifest().version(),
                        0);
                saved = Optional.empty();
            }
        }
        if (saved.isPresent()) {
            LastGoodRuleset.Saved s = saved.get();
            try {
                RuleSetObject object = RuleSetObject.fromElf(s.objectFile().toString(), s.object());
                Instant at = clock.instant();
                long programId =
                        dataPlane.install(object, datacenter, sampleRate).programId();
                running = new RunningRuleset(
                        RunningRuleset.Origin.LAST_GOOD,
                        Optional.of(s.manifest()),
                        s.manifestJson(),
                        Optional.of(object),
                        s.object(),
                        programId,
                        Optional.of(at));
                LOG.log(
                        Level.INFO,
                        "running the last good rule set, " + running.describe() + signedNote() + ", from "
                                + lastGood.manifestFile() + " (program " + programId + ") until etcd answers");
                return running;
            } catch (RuleSetObjectException | DataplaneException | BpfException | IllegalArgumentException e) {
                LOG.log(
                        Level.WARNING,
                        "the last good rule set in " + lastGood.directory() + " cannot be applied: " + e.getMessage());
            }
        }
        if (dataPlane.attachment().adopted()) {
            Status status = Status.read(dataPlane.layout());
            running = new RunningRuleset(
                    RunningRuleset.Origin.ADOPTED,
                    Optional.empty(),
                    new byte[0],
                    Optional.empty(),
                    new byte[0],
                    status.programId(),
                    Optional.empty());
            LOG.log(
                    Level.INFO,
                    "kept the program a previous run left attached (program " + status.programId() + ", rule set "
                            + status.version() + ") until etcd answers: no usable last good rule set in "
                            + lastGood.directory());
            return running;
        }
        RuleSetObject empty = RuleSetObject.compile(new RuleSet("none", List.of()), List.of(), new ProgramBuilder());
        Instant at = clock.instant();
        long programId = dataPlane.install(empty, datacenter, sampleRate).programId();
        running = new RunningRuleset(
                RunningRuleset.Origin.NONE,
                Optional.empty(),
                new byte[0],
                Optional.of(empty),
                new byte[0],
                programId,
                Optional.of(at));
        LOG.log(Level.INFO, "attached an empty rule set (program " + programId + ") until etcd has one");
        return running;
    }

    /** Starts watching the manifest and the worker that applies it. Call after {@link #restore}. */
    public void start() {
        if (running == null) {
            throw new IllegalStateException("restore() first: a program must run before the fleet's sets are followed");
        }
        worker.start();
        watch = PrefixWatch.start(client, KeyRange.key(store.keys().ruleset()), this::onUpdate);
    }

    public RunningRuleset running() {
        return running;
    }

    public Optional<Refused> lastRefused() {
        return Optional.ofNullable(lastRefused);
    }

    /**
     * The last refusal while it stands: no manifest was taken since (the registration shows it, so
     * {@code levee fleet status} tells why an edge lags).
     */
    public Optional<Refused> standingRefusal() {
        Refused r = lastRefused;
        return refusalStanding ? Optional.ofNullable(r) : Optional.empty();
    }

    /** Rule sets refused so far, by reason (every reason present). */
    public Map<Refusal, Long> refusals() {
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        refusals.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** The keys whose signatures this edge accepts; empty when it checks no signatures. */
    public List<TrustedKey> trustedKeys() {
        return verifier.map(ManifestVerifier::keys).orElse(List.of());
    }

    /**
     * The key whose signature was verified on the running set's manifest; empty when signatures
     * are not checked or no manifest runs. (Every manifest that runs was verified first.)
     */
    public Optional<KeyId> signedBy() {
        RunningRuleset now = running;
        if (verifier.isEmpty() || now == null) {
            return Optional.empty();
        }
        return now.manifest().flatMap(ManifestSignature::claimedBy);
    }

    /** ", signed by key …" when signatures are checked. */
    private String signedNote() {
        return signedBy().map(k -> ", signed by key " + k).orElse("");
    }

    /** How the watch on the manifest is doing. */
    public WatchState watchState() {
        PrefixWatch w = watch;
        return w == null ? new WatchState(false, 0, 0, Optional.empty()) : w.state();
    }

    /** Times the last good set could not be written to the state directory. */
    public long lastGoodSaveFailures() {
        return lastGoodSaveFailures;
    }

    /** The fleet's rules with whether each is enabled in this data center now; empty when the object is unknown. */
    public List<RuleInfo> rules() {
        return running.object().map(RuleSetObject::rules).orElse(List.of());
    }

    /** Whether {@code rule} is enabled in this data center now. */
    public boolean enabledHere(RuleInfo rule) {
        return rule.appliesIn(datacenter, clock.instant());
    }

    // ---- the watch's thread ----

    private void onUpdate(WatchUpdate update) {
        KeyValue kv = update.snapshot().get(store.keys().ruleset());
        if (kv == null) {
            synchronized (lock) {
                if (!sawNoManifest) {
                    sawNoManifest = true;
                    LOG.log(
                            Level.INFO,
                            "no rule set in etcd at " + store.keys().ruleset() + " (revision " + update.revision()
                                    + "): keeping " + running.describe() + " (program " + running.programId() + ")");
                }
            }
            return;
        }
        synchronized (lock) {
            if (kv.modRevision() == refusedRevision) {
                return; // refused already; tried again once the manifest is written again
            }
        }
        PublishedManifest manifest;
        try {
            manifest = RulesetStore.decode(kv);
        } catch (BadManifestException e) {
            synchronized (lock) {
                pending = null;
            }
            refuse(Refusal.MANIFEST, e.getMessage(), 0, kv.modRevision());
            return;
        }
        if (verifier.isPresent()) {
            try {
                verifier.get().verify(manifest, kv.key());
            } catch (BadSignatureException e) {
                synchronized (lock) {
                    pending = null;
                }
                long version = manifest.manifest().version();
                refuse(Refusal.SIGNATURE, "version " + version + ": " + e.getMessage(), version, kv.modRevision());
                return;
            }
        }
        synchronized (lock) {
            sawNoManifest = false;
            pending = manifest;
            lock.notifyAll();
        }
    }

    // ---- the worker ----

    private void work() {
        while (true) {
            PublishedManifest next;
            synchronized (lock) {
                while (!closed && pending == null && !expiryDue()) {
                    try {
                        lock.wait(waitMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = pending;
                pending = null;
            }
            try {
                if (next != null) {
                    follow(next);
                } else {
                    respecialise();
                }
            } catch (RuntimeException e) {
                // never let the worker die: the program stays, the next manifest or expiry tries again
                LOG.log(Level.WARNING, "applying the fleet's rule set failed: " + e, e);
            }
        }
    }

    private boolean expiryDue() {
        Instant now = clock.instant();
        return running.nextExpiry(datacenter).map(e -> !now.isBefore(e)).orElse(false);
    }

    /** Until the next expiry (at least 1 ms), at most a second. */
    private long waitMillis() {
        Instant now = clock.instant();
        return running.nextExpiry(datacenter)
                .map(e -> Math.clamp(Duration.between(now, e).toMillis() + 1, 1L, 1_000L))
                .orElse(1_000L);
    }

    private void follow(PublishedManifest published) {
        var manifest = published.manifest();
        long revision = published.modRevision();
        RunningRuleset now = running;
        if (verifier.isPresent()
                && now.version().isPresent()
                && manifest.version() < now.version().getAsLong()) {
            // A signature proves who signed a set, not that it is the latest: an old signed manifest
            // (and its object) written back would undo every rule published since. Checked here, on
            // the worker, against the set that really runs.
            refuse(
                    Refusal.ROLLBACK,
                    "version " + manifest.version() + " is older than version "
                            + now.version().getAsLong()
                            + ", which this edge runs: a signed rule set written back after a newer one (versions only go up;"
                            + " docs/security.md, \"Signed rule sets\")",
                    manifest.version(),
                    revision);
            return;
        }
        if (now.sha256().filter(sha -> sha.equals(manifest.object().sha256())).isPresent()
                && now.object().isPresent()) {
            // the object running is the one etcd names: nothing to swap; take the manifest as it is now
            RunningRuleset taken = new RunningRuleset(
                    RunningRuleset.Origin.ETCD,
                    Optional.of(manifest),
                    published.json(),
                    now.object(),
                    now.objectBytes(),
                    now.programId(),
                    now.applied());
            boolean changed =
                    now.origin() != RunningRuleset.Origin.ETCD || now.version().orElse(-1) != manifest.version();
            if (changed) {
                keep(taken); // before running() shows it: see apply
            }
            running = taken;
            refusalStanding = false;
            if (changed) {
                LOG.log(
                        Level.INFO,
                        "etcd's rule set " + running.describe() + signedNote()
                                + (signedNote().isEmpty() ? "" : ",")
                                + " is the one running (program "
                                + now.programId() + "): nothing to swap");
                listener.applied(running, false);
            }
            return;
        }
        byte[] bytes;
        try {
            bytes = fetch(published);
        } catch (BadObjectException e) {
            refuse(
                    Refusal.of(e.problem()),
                    "version " + manifest.version() + ": " + e.getMessage(),
                    manifest.version(),
                    revision);
            return;
        }
        if (bytes == null) {
            return; // superseded by a newer manifest, or closing
        }
        RuleSetObject object;
        try {
            object = RuleSetObject.fromElf(
                    "object " + manifest.object().shortSha() + " of version " + manifest.version(), bytes);
        } catch (RuleSetObjectException e) {
            refuse(Refusal.OBJECT, e.getMessage(), manifest.version(), revision);
            return;
        }
        List<String> ids = object.rules().stream().map(RuleInfo::id).toList();
        if (!ids.equals(manifest.rules())) {
            refuse(
                    Refusal.RULES,
                    "version " + manifest.version() + ": the manifest lists rules " + abbreviated(manifest.rules())
                            + " but object " + manifest.object().shortSha() + " holds " + abbreviated(ids),
                    manifest.version(),
                    revision);
            return;
        }
        long programId;
        Instant at = clock.instant();
        try {
            programId = dataPlane.install(object, datacenter, null).programId();
        } catch (DataplaneException | BpfException | IllegalArgumentException e) {
            refuse(
                    Refusal.LOAD,
                    "version " + manifest.version() + " (object "
                            + manifest.object().shortSha() + "): " + e.getMessage(),
                    manifest.version(),
                    revision);
            return;
        }
        RunningRuleset applied = new RunningRuleset(
                RunningRuleset.Origin.ETCD,
                Optional.of(manifest),
                published.json(),
                Optional.of(object),
                bytes,
                programId,
                Optional.of(at));
        // saved before running() shows it: once an edge reports a version, a restart finds that version
        // on disk even if it stops at once (etcd away then, it runs what it last reported)
        keep(applied);
        running = applied;
        refusalStanding = false;
        long enabled = object.rules().stream().filter(this::enabledHere).count();
        LOG.log(
                Level.INFO,
                "applied the fleet's rule set " + running.describe() + signedNote() + ", " + enabled + " enabled in "
                        + datacenter + ": program " + programId
                        + (now.programId() != 0 ? " replaced program " + now.programId() : ""));
        listener.applied(running, true);
    }

    /** The object of {@code published}, fetching again while etcd cannot be reached; null when a newer manifest came or closing. */
    private byte[] fetch(PublishedManifest published) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        while (true) {
            try {
                return store.fetch(published.manifest());
            } catch (StoreException e) {
                Duration pause = backoff.next();
                LOG.log(
                        Level.DEBUG,
                        "fetching the object of version " + published.manifest().version() + " failed, again in "
                                + pause.toMillis() + " ms: " + e.getMessage());
                synchronized (lock) {
                    if (closed || pending != null) {
                        return null;
                    }
                    try {
                        lock.wait(Math.max(1, pause.toMillis()));
                    } catch (InterruptedException ie) {
                        return null;
                    }
                    if (closed || pending != null) {
                        return null;
                    }
                }
            }
        }
    }

    /** The running object specialised again at this moment: a rule of it expired. */
    private void respecialise() {
        RunningRuleset now = running;
        if (now.object().isEmpty()) {
            return;
        }
        Instant at = clock.instant();
        List<String> expired = now.object().get().rules().stream()
                .filter(r ->
                        r.appliesIn(datacenter, now.applied().orElse(Instant.EPOCH)) && !r.appliesIn(datacenter, at))
                .map(RuleInfo::id)
                .toList();
        // specialised from now on: the next expiry is counted from this moment
        long programId;
        try {
            programId = dataPlane.install(now.object().get(), datacenter, null).programId();
        } catch (DataplaneException | BpfException | IllegalArgumentException e) {
            // the expired rules keep dropping until this works: try again in a second
            LOG.log(
                    Level.WARNING,
                    "rules " + expired + " expired but the program could not be specialised again: " + e.getMessage());
            sleep(Duration.ofSeconds(1));
            return;
        }
        running = new RunningRuleset(
                now.origin(),
                now.manifest(),
                now.manifestJson(),
                now.object(),
                now.objectBytes(),
                programId,
                Optional.of(at));
        LOG.log(
                Level.INFO,
                "rules " + expired + " of " + now.describe() + " expired: specialised again, program " + programId);
        listener.applied(running, true);
    }

    private void keep(RunningRuleset set) {
        if (set.manifest().isEmpty() || set.objectBytes().length == 0) {
            return;
        }
        try {
            lastGood.save(set.manifest().get(), set.manifestJson(), set.objectBytes());
        } catch (IOException | RuntimeException e) {
            lastGoodSaveFailures++;
            LOG.log(
                    Level.WARNING,
                    "cannot keep " + set.describe() + " as the last good rule set in " + lastGood.directory()
                            + " (a restart while etcd is away would run an older one): " + e.getMessage());
        }
    }

    private void refuse(Refusal reason, String message, long version, long revision) {
        synchronized (lock) {
            refusedRevision = revision;
        }
        record(reason, message, version, revision);
        RunningRuleset now = running;
        LOG.log(
                Level.WARNING,
                "refused the fleet's rule set (" + reason.label() + ") at etcd revision " + revision + ": " + message
                        + "; still running " + now.describe() + " (program " + now.programId() + ")");
        listener.refused(reason, message);
    }

    /** Counts a refusal and keeps it as the last one. */
    private void record(Refusal reason, String message, long version, long revision) {
        refusals.get(reason).increment();
        lastRefused = new Refused(reason, message, version, revision, clock.instant());
        refusalStanding = true;
    }

    private static String abbreviated(List<String> ids) {
        return ids.size() <= 8 ? ids.toString() : ids.subList(0, 8) + " and " + (ids.size() - 8) + " more";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the watch and the worker; the program stays as it is. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        if (watch != null) {
            watch.close();
        }
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

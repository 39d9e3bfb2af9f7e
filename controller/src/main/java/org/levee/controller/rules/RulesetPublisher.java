package org.levee.controller.rules;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.store.BadManifestException;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.ObjectRef;
import org.levee.store.PublishedManifest;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.signing.BadSignatureException;
import org.levee.store.signing.ManifestSignature;
import org.levee.store.signing.ManifestSigning;
import org.levee.store.signing.ManifestVerifier;
import org.levee.store.signing.SigningKey;

/**
 * Compiles the whole set of valid rule sources once into one rule-set object (every data center's
 * program: edges specialise it) and publishes it as the leader: the object's chunks first, the
 * manifest last, fenced ({@link RulesetStore#publish}). With a signing key the manifest is signed
 * ({@link ManifestSigning}). Filters come from the shared {@link RuleFilters}, so a rule that did
 * not change is not compiled again. When the compiled object is the one the manifest already
 * names (same rules, same order, same bytes) and the manifest is signed as this controller signs
 * — by its key, valid; or unsigned when it has no key — nothing is written. So after a key
 * rotation the new leader signs the set in force again (a new version, the same object: edges
 * swap nothing). Not thread-safe: the controller's store thread calls it.
 */
public final class RulesetPublisher {
    private static final System.Logger LOG = System.getLogger(RulesetPublisher.class.getName());

    /**
     * The outcome of one compilation.
     *
     * @param published the manifest written now, if one was
     * @param current the manifest in force afterwards (the new one, or the one that was there)
     * @param problem why the set could not be compiled or published, if so
     * @param compileTime how long compiling the set took (zero when it failed before compiling)
     */
    public record Outcome(
            Optional<RulesetManifest> published,
            Optional<RulesetManifest> current,
            Optional<Problem> problem,
            Duration compileTime) {}

    private final RulesetStore store;
    private final FleetKeys keys;
    private final RuleFilters filters;
    private final String identity;
    private final Clock clock;
    private final Optional<SigningKey> signingKey;
    private final Optional<ManifestVerifier> ownKey;
    private long lastVersion;
    /** The highest version an edge registered as running: versions published must go above it. */
    private final AtomicLong edgesRun = new AtomicLong();

    /**
     * @param signingKey the key manifests are signed with; empty: they are published unsigned
     */
    public RulesetPublisher(
            EtcdClient client,
            FleetKeys keys,
            RuleFilters filters,
            String identity,
            Clock clock,
            Optional<SigningKey> signingKey) {
        this.store = new RulesetStore(client, keys);
        this.keys = keys;
        this.filters = filters;
        this.identity = identity;
        this.clock = clock;
        this.signingKey = signingKey;
        this.ownKey = signingKey.map(k -> ManifestVerifier.of(List.of(k.publicKey())));
    }

    /**
     * The rules of {@code sources} that apply at {@code now} (expired ones left out), in the set's
     * order ({@link RuleOrder}).
     */
    public static List<StoredRule> ordered(RuleCatalog.Sources sources, Instant now) {
        return sources.rules().values().stream()
                .filter(r -> !r.expiredAt(now))
                .sorted(RuleOrder.ORDER)
                .toList();
    }

    /**
     * Compiles the valid rules of {@code sources} and publishes them under {@code fence} unless the
     * manifest already names the same object.
     *
     * @throws org.levee.store.NotLeaderException when the fence no longer holds (nothing was published)
     * @throws org.levee.store.etcd.StoreException when etcd fails (try again)
     */
    public Outcome publish(RuleCatalog.Sources sources, Fence fence) {
        Instant now = clock.instant();
        List<StoredRule> rules = ordered(sources, now);
        RuleSet set = new RuleSet(
                RuleCodec.version(rules.stream().map(StoredRule::rule).toList()),
                rules.stream().map(StoredRule::rule).toList());
        Optional<PublishedManifest> published = currentManifest();
        Optional<RulesetManifest> current = published.map(PublishedManifest::manifest);
        long start = System.nanoTime();
        byte[] object;
        try {
            List<RuleFilter> compiled = filters.compile("rule set", set);
            object = RuleSetObject.compile(set, compiled, new ProgramBuilder()).toElf();
        } catch (RuleSetException | IllegalArgumentException | IllegalStateException e) {
            Problem problem = new Problem(
                    keys.ruleset(),
                    Optional.empty(),
                    "the set of " + rules.size() + " valid rules does not compile, the rule set in force stays: "
                            + e.getMessage());
            LOG.log(Level.WARNING, problem.toString());
            return new Outcome(
                    Optional.empty(), current, Optional.of(problem), Duration.ofNanos(System.nanoTime() - start));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        ObjectRef ref = store.refOf(object);
        List<String> ids = rules.stream().map(StoredRule::id).toList();
        long edgesHighest = edgesRun.get();
        if (current.isPresent()
                && current.get().object().equals(ref)
                && current.get().rules().equals(ids)
                && signedAsThisControllerSigns(published.get())
                && current.get().version() >= edgesHighest) {
            return new Outcome(Optional.empty(), current, Optional.empty(), took);
        }
        long above = Math.max(
                Math.max(lastVersion, edgesHighest),
                current.map(RulesetManifest::version).orElse(0L));
        if (above == Long.MAX_VALUE) {
            // Only a forged manifest or registration gets there (one a second would take 2^63 s).
            Problem problem = new Problem(
                    keys.ruleset(),
                    Optional.empty(),
                    "no version can follow " + above + ", the version of"
                            + " the manifest in force or of an edge's registration: not written by a controller; delete it ("
                            + keys.ruleset() + ", or the registration) and the next compilation publishes");
            LOG.log(Level.WARNING, problem.toString());
            return new Outcome(Optional.empty(), current, Optional.of(problem), took);
        }
        long version = above + 1;
        // With its gzip form: edges fetch about a seventh of the bytes (docs/benchmarks.md, "Fleet"). The
        // signature covers the gzip form's reference too.
        RulesetManifest unsigned = store.withGzip(new RulesetManifest(version, ids, ref, now, identity), object);
        byte[] json = signingKey
                .map(k -> ManifestSigning.sign(unsigned, k))
                .orElseGet(() -> ManifestSigning.unsigned(unsigned));
        store.publish(json, object, Optional.of(fence));
        RulesetManifest manifest =
                RulesetManifestJson.decode(json, keys.ruleset()); // with its signature, as etcd holds it
        lastVersion = version;
        LOG.log(
                Level.INFO,
                "published rule set version {0}: {1} rules, object {2} ({3} bytes), compiled in {4} ms, {5}",
                String.valueOf(version),
                String.valueOf(ids.size()),
                ref.shortSha(),
                String.valueOf(ref.size()),
                String.valueOf(took.toMillis()),
                signingKey.map(k -> "signed by key " + k.id()).orElse("unsigned"));
        return new Outcome(Optional.of(manifest), Optional.of(manifest), Optional.empty(), took);
    }

    /**
     * Whether the manifest in force carries the signature this controller would write: a valid one
     * by its key, or none when it has no key. A manifest signed by a key since retired, or
     * rewritten by someone without the key, is published again.
     */
    private boolean signedAsThisControllerSigns(PublishedManifest published) {
        if (ownKey.isEmpty()) {
            return ManifestSignature.claimedBy(published.manifest()).isEmpty()
                    && !published.manifest().extra().containsKey(ManifestSignature.FIELD);
        }
        try {
            ownKey.get().verify(published, keys.ruleset());
            return true;
        } catch (BadSignatureException e) {
            LOG.log(
                    Level.INFO,
                    "the manifest in force is not signed with this controller's key, signing it again: "
                            + e.getMessage());
            return false;
        }
    }

    /**
     * Tells the highest rule-set version the edges' registrations say they run now (all of them:
     * a registration deleted no longer counts). Edges that check
     * signatures refuse a version below the one they run (a replayed older set), so when etcd lost
     * the manifest or went back to an older backup, the next version published goes above every
     * edge's: {@link #publish} publishes again when the manifest in force is below it.
     *
     * @return true when {@code version} is above the manifest in force as last published or seen
     *     here (a compilation is due)
     */
    public boolean edgesRun(long version, Optional<RulesetManifest> inForce) {
        edgesRun.set(version);
        return version > inForce.map(RulesetManifest::version).orElse(0L);
    }

    /** The key manifests are signed with, if any. */
    public Optional<SigningKey> signingKey() {
        return signingKey;
    }

    /** The manifest in force; empty when there is none or it cannot be read (then a new one replaces it). */
    private Optional<PublishedManifest> currentManifest() {
        try {
            return store.current();
        } catch (BadManifestException e) {
            LOG.log(Level.WARNING, "the manifest in force is not valid, a new one replaces it: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The manifest in {@code kv} (a watch's), empty when it is not valid. */
    public static Optional<RulesetManifest> decode(KeyValue kv) {
        try {
            return Optional.of(RulesetStore.decode(kv).manifest());
        } catch (BadManifestException e) {
            return Optional.empty();
        }
    }
}

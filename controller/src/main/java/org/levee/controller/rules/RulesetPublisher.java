package org.levee.controller.rules;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;

/**
 * Compiles the whole set of valid rule sources once into one rule-set object (every data center's
 * program: edges specialise it) and publishes it as the leader: the object's chunks first, the
 * manifest last, fenced ({@link RulesetStore#publish}). Filters come from the shared
 * {@link RuleFilters}, so a rule that did not change is not compiled again. When the compiled
 * object is the one the manifest already names (same rules, same order, same bytes), nothing is
 * written. Not thread-safe: the controller's store thread calls it.
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
    public record Outcome(Optional<RulesetManifest> published, Optional<RulesetManifest> current, Optional<Problem> problem,
                          Duration compileTime) {}

    private final RulesetStore store;
    private final FleetKeys keys;
    private final RuleFilters filters;
    private final String identity;
    private final Clock clock;
    private long lastVersion;

    public RulesetPublisher(EtcdClient client, FleetKeys keys, RuleFilters filters, String identity, Clock clock) {
        this.store = new RulesetStore(client, keys);
        this.keys = keys;
        this.filters = filters;
        this.identity = identity;
        this.clock = clock;
    }

    /**
     * The rules of {@code sources} that apply at {@code now} (expired ones left out), in the set's
     * order ({@link RuleOrder}).
     */
    public static List<StoredRule> ordered(RuleCatalog.Sources sources, Instant now) {
        return sources.rules().values().stream().filter(r -> !r.expiredAt(now)).sorted(RuleOrder.ORDER).toList();
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
        RuleSet set = new RuleSet(RuleCodec.version(rules.stream().map(StoredRule::rule).toList()),
                rules.stream().map(StoredRule::rule).toList());
        Optional<RulesetManifest> current = currentManifest();
        long start = System.nanoTime();
        byte[] object;
        try {
            List<RuleFilter> compiled = filters.compile("rule set", set);
            object = RuleSetObject.compile(set, compiled, new ProgramBuilder()).toElf();
        } catch (RuleSetException | IllegalArgumentException | IllegalStateException e) {
            Problem problem = new Problem(keys.ruleset(), Optional.empty(), "the set of " + rules.size()
                    + " valid rules does not compile, the rule set in force stays: " + e.getMessage());
            LOG.log(Level.WARNING, problem.toString());
            return new Outcome(Optional.empty(), current, Optional.of(problem), Duration.ofNanos(System.nanoTime() - start));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        ObjectRef ref = store.refOf(object);
        List<String> ids = rules.stream().map(StoredRule::id).toList();
        if (current.isPresent() && current.get().object().equals(ref) && current.get().rules().equals(ids)) {
            return new Outcome(Optional.empty(), current, Optional.empty(), took);
        }
        long version = Math.max(lastVersion, current.map(RulesetManifest::version).orElse(0L)) + 1;
        // With its gzip form: edges fetch about a seventh of the bytes (docs/benchmarks.md, "Fleet").
        RulesetManifest manifest = store.withGzip(new RulesetManifest(version, ids, ref, now, identity), object);
        store.publish(manifest, object, Optional.of(fence));
        lastVersion = version;
        LOG.log(Level.INFO, "published rule set version {0}: {1} rules, object {2} ({3} bytes), compiled in {4} ms",
                String.valueOf(version), String.valueOf(ids.size()), ref.shortSha(), String.valueOf(ref.size()),
                String.valueOf(took.toMillis()));
        return new Outcome(Optional.of(manifest), Optional.of(manifest), Optional.empty(), took);
    }

    /** The manifest in force; empty when there is none or it cannot be read (then a new one replaces it). */
    private Optional<RulesetManifest> currentManifest() {
        try {
            return store.current().map(PublishedManifest::manifest);
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

package org.levee.bench;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.store.BadManifestException;
import org.levee.store.BadObjectException;
import org.levee.store.FleetKeys;
import org.levee.store.PublishedManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.Backoff;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.StoreException;
import org.levee.store.etcd.WatchUpdate;

/**
 * One edge of {@code levee bench fleet}, following the fleet's manifest the way an edge's
 * {@code RulesetFollower} does, with the same store classes: its own {@link EtcdClient} (its own
 * gRPC channel, so its own TCP connection to each endpoint), its own {@link PrefixWatch} on
 * {@code PREFIX ruleset}, and for each new manifest {@link RulesetStore#fetch} — every chunk read,
 * count, size and SHA-256 checked — again with the edge's backoff while etcd fails the read.
 *
 * <p>What a real edge does next is left out: parsing the ELF, specialising it for its data center
 * and loading it into the kernel (its own CPU, on its own machine, after the store has delivered).
 * A real edge hands the manifest from the watch's thread to a worker; here the watch's thread
 * fetches itself, which saves a thousand threads and changes no timing (one manifest at a time).
 * A real edge keeps the object it runs; here the verified bytes are dropped (only the digest is
 * kept): a thousand edges' objects in one heap would make every young collection copy the
 * fetched objects to the old generation — hundreds of milliseconds of pause per change that no
 * real edge, with one object in its own heap, pays.
 */
final class SimulatedEdge implements AutoCloseable {
    /** Give up a fetch after this many failed reads (a real edge goes on until a newer manifest comes). */
    private static final int MAX_ATTEMPTS = 20;

    /**
     * The last object this edge fetched and verified.
     *
     * @param version the manifest's version
     * @param sha256 the object's digest (checked)
     * @param atNanos {@link System#nanoTime()} when the check passed
     */
    record Verified(long version, String sha256, long atNanos) {}

    private final FleetKeys keys;
    private final EtcdClient client;
    private final RulesetStore store;
    private final PrefixWatch watch;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Verified verified;
    private volatile String lastFailure;
    private volatile String lastRetryError;

    SimulatedEdge(EtcdSettings settings, FleetKeys keys) {
        this.keys = keys;
        this.client = EtcdClient.connect(settings);
        this.store = new RulesetStore(client, keys);
        this.watch = PrefixWatch.start(client, KeyRange.key(keys.ruleset()), this::onUpdate);
    }

    Optional<Verified> verified() {
        return Optional.ofNullable(verified);
    }

    /** Whether its watch stream is established. */
    boolean watching() {
        return watch.state().connected();
    }

    /** Reads that failed and were tried again. */
    long retries() {
        return retries.get();
    }

    /** Manifests or objects it refused or gave up on. */
    long failures() {
        return failures.get();
    }

    Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Why the last read that was tried again failed. */
    Optional<String> lastRetryError() {
        return Optional.ofNullable(lastRetryError);
    }

    private void onUpdate(WatchUpdate update) {
        KeyValue kv = update.snapshot().get(keys.ruleset());
        if (kv == null) {
            return;
        }
        PublishedManifest published;
        try {
            published = RulesetStore.decode(kv);
        } catch (BadManifestException e) {
            fail(e.getMessage());
            return;
        }
        var manifest = published.manifest();
        Verified now = verified;
        if (now != null && now.sha256().equals(manifest.object().sha256())) {
            verified = new Verified(
                    manifest.version(), now.sha256(), now.atNanos()); // the object it holds: nothing to fetch
            return;
        }
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        for (int attempt = 1; ; attempt++) {
            try {
                store.fetch(manifest);
                verified = new Verified(manifest.version(), manifest.object().sha256(), System.nanoTime());
                return;
            } catch (BadObjectException e) {
                fail(e.getMessage());
                return;
            } catch (StoreException e) {
                if (attempt == MAX_ATTEMPTS) {
                    fail("version " + manifest.version() + ": gave up after " + attempt + " reads: " + e.getMessage());
                    return;
                }
                retries.incrementAndGet();
                lastRetryError = e.getMessage();
                try {
                    Thread.sleep(backoff.next());
                } catch (InterruptedException interrupted) {
                    return; // closing
                }
            }
        }
    }

    private void fail(String why) {
        failures.incrementAndGet();
        lastFailure = why;
    }

    @Override
    public void close() {
        watch.close();
        client.close();
    }
}

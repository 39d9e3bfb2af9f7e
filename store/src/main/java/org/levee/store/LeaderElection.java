package org.levee.store;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.levee.store.etcd.Backoff;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Lease;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.StoreException;
import org.levee.store.etcd.TxnResult;
import org.levee.store.etcd.WatchUpdate;

/**
 * Leader election among controllers through one lease-guarded key ({@code PREFIX leader}): a
 * candidate holds a lease and creates the key with its identity as value in a transaction that
 * succeeds only if the key does not exist; the key lives as long as the lease. Every candidate
 * watches the key, so all of them know the current leader and a follower campaigns the moment
 * the key goes (resignation, or expiry one TTL after a leader died).
 *
 * <p>A leader stays leader while its lease is certainly alive: renewed on its own timer every
 * third of the TTL, and deposed (the listener is told) when etcd says the lease is gone, when it
 * could not renew before the lease may have expired, or when its key was deleted or replaced.
 * Local belief is not what keeps writes safe, though: {@link #fencedTxn} and
 * {@link RulesetStore#publish} with the {@link #fence()} only write while etcd still holds the
 * very key this leader created, so a deposed leader — even one paused for a minute that does not
 * know yet — cannot write.
 */
public final class LeaderElection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.levee.store");
    /** A dead leader is replaced within about this TTL (plus a watch notification). */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(3);

    private final EtcdClient client;
    private final String key;
    private final String identity;
    private final Duration ttl;
    private final LeadershipListener listener;
    private final Thread thread;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicReference<Fence> fence = new AtomicReference<>();

    private PrefixWatch watch;
    private volatile boolean closed;
    private volatile Lease lease;
    private volatile Optional<Leader> observed = Optional.empty();
    private volatile long observedRevision;
    private volatile String lastError;

    private LeaderElection(EtcdClient client, String key, String identity, Duration ttl, LeadershipListener listener) {
        if (identity == null || identity.isBlank()) {
            throw new IllegalArgumentException("leader election: the candidate's identity is empty");
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("leader lease TTL " + ttl.toMillis() + " ms is outside 1..60 s");
        }
        this.client = Objects.requireNonNull(client, "client");
        this.key = Objects.requireNonNull(key, "key");
        this.identity = identity;
        this.ttl = ttl;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread =
                Thread.ofPlatform().daemon().name("levee-election " + identity).unstarted(this::run);
    }

    /** Starts campaigning for {@code key} as {@code identity} with a lease of {@code ttl} (whole seconds). */
    public static LeaderElection start(
            EtcdClient client, String key, String identity, Duration ttl, LeadershipListener listener) {
        LeaderElection election = new LeaderElection(client, key, identity, ttl, listener);
        election.watch = PrefixWatch.start(client, KeyRange.key(key), election::onLeaderKey);
        election.thread.start();
        return election;
    }

    public String identity() {
        return identity;
    }

    /** True while this candidate is leader (as far as it knows; writes are checked by etcd). */
    public boolean isLeader() {
        return fence.get() != null;
    }

    /** The leader as last observed in etcd, whoever it is. */
    public Optional<Leader> leader() {
        return observed;
    }

    /** The last failure, if any. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /**
     * The condition that guards this leader's writes.
     *
     * @throws NotLeaderException when this candidate is not the leader
     */
    public Fence fence() {
        Fence f = fence.get();
        if (f == null) {
            throw new NotLeaderException(identity + " is not the leader"
                    + observed.map(l -> " (the leader is " + l.identity() + ")").orElse(" (there is none)"));
        }
        return f;
    }

    /**
     * Writes {@code ops} atomically if and only if this leader still holds the leader key.
     *
     * @throws NotLeaderException when it does not (nothing was written; the listener is told)
     */
    public TxnResult fencedTxn(List<Op> ops) {
        Fence f = fence();
        TxnResult result = client.txn(List.of(f.condition()), ops, List.of());
        if (!result.succeeded()) {
            depose(f, "a fenced write found the leader key gone or replaced");
            throw new NotLeaderException("write refused: " + f + " no longer holds the leader key");
        }
        return result;
    }

    /** Resigns (deletes the key if it is still this leader's, revokes the lease) and stops. */
    @Override
    public void close() {
        stop();
        Fence f = fence.get();
        try {
            if (f != null) {
                client.txn(List.of(f.condition()), List.of(Op.delete(key)), List.of());
            }
            Lease current = lease;
            if (current != null) {
                current.revoke();
            }
        } catch (StoreException e) {
            LOG.log(
                    Level.INFO,
                    "leader election {0}: resigning failed, the key expires within {1} s: {2}",
                    identity,
                    ttl.toSeconds(),
                    e.getMessage());
        } finally {
            if (f != null) {
                depose(f, "resigned");
            }
        }
    }

    /** Stops renewing and campaigning without resigning, as a killed (or frozen) process would. */
    void abandon() {
        stop();
    }

    private void stop() {
        closed = true;
        watch.close();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onLeaderKey(WatchUpdate update) {
        KeyValue kv = update.snapshot().get(key);
        Optional<Leader> now = kv == null
                ? Optional.empty()
                : Optional.of(new Leader(kv.valueUtf8(), kv.createRevision(), kv.lease()));
        observed = now;
        observedRevision = update.revision();
        wake.release();
        listener.leaderChanged(now);
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), ttl.dividedBy(3));
        while (!closed) {
            Duration pause;
            try {
                tick();
                backoff.reset();
                pause = lease.ttl().dividedBy(3);
            } catch (StoreException e) {
                if (closed) {
                    return;
                }
                lastError = e.getMessage();
                Fence f = fence.get();
                Lease current = lease;
                if (f != null && (current == null || !current.certainlyAlive())) {
                    depose(f, "could not renew the lease before it may have expired: " + e.getMessage());
                }
                pause = backoff.next();
            }
            try {
                wake.tryAcquire(pause.toNanos(), TimeUnit.NANOSECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Renews the lease, checks the key is still ours, campaigns when there is no leader. */
    private void tick() {
        Lease current = lease;
        Fence f = fence.get();
        if (current != null) {
            if (!current.certainlyAlive()) {
                if (f != null) {
                    depose(f, "lease " + Long.toHexString(current.id()) + " may have expired before it was renewed");
                }
                current = null;
            } else if (!current.keepAlive()) {
                if (f != null) {
                    depose(f, "lease " + Long.toHexString(current.id()) + " no longer exists (expired or revoked)");
                }
                current = null;
            }
        }
        Fence held = fence.get();
        if (held != null
                && observedRevision >= held.createRevision()
                && observed.map(l -> l.createRevision() != held.createRevision())
                        .orElse(true)) {
            depose(held, "the leader key was deleted or replaced");
        }
        if (current == null) {
            current = Lease.grant(client, ttl);
            lease = current;
        }
        if (fence.get() == null) {
            campaign(current);
        }
    }

    private void campaign(Lease current) {
        if (observed.isPresent() && watch.state().connected() && observed.get().lease() != current.id()) {
            return; // someone else leads; the watch wakes us when the key goes
        }
        byte[] value = identity.getBytes(StandardCharsets.UTF_8);
        TxnResult result =
                client.txn(List.of(Compare.absent(key)), List.of(Op.put(key, value, current.id())), List.of());
        if (result.succeeded()) {
            elect(new Fence(key, result.revision(), identity));
            return;
        }
        // The key exists. It is ours if an earlier attempt succeeded but its answer was lost.
        client.get(key)
                .filter(kv -> kv.lease() == current.id() && kv.valueUtf8().equals(identity))
                .ifPresent(kv -> elect(new Fence(key, kv.createRevision(), identity)));
    }

    private void elect(Fence f) {
        if (fence.compareAndSet(null, f)) {
            lastError = null;
            LOG.log(
                    Level.INFO,
                    "leader election: {0} is the leader ({1} created at revision {2})",
                    identity,
                    key,
                    f.createRevision());
            listener.elected(f);
        }
    }

    private void depose(Fence f, String why) {
        if (fence.compareAndSet(f, null)) {
            LOG.log(Level.INFO, "leader election: {0} is no longer the leader: {1}", identity, why);
            listener.deposed(why);
        }
    }
}

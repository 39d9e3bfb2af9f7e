package org.levee.store.etcd;

import java.time.Duration;
import org.levee.store.etcdpb.LeaseGrantResponse;

/**
 * An etcd lease held by this process: keys attached to it vanish when it expires. The holder
 * renews it with {@link #keepAlive()} on its own timer (every third of the TTL is usual); this
 * class only talks to etcd and remembers until when the lease is certainly alive, measured on
 * this machine's monotonic clock from the moment the last successful request was sent.
 */
public final class Lease {
    private final EtcdClient client;
    private final long id;
    private final Duration ttl;
    private volatile long aliveUntilNanos;

    private Lease(EtcdClient client, long id, Duration ttl, long aliveUntilNanos) {
        this.client = client;
        this.id = id;
        this.ttl = ttl;
        this.aliveUntilNanos = aliveUntilNanos;
    }

    /**
     * A new lease of {@code ttl} (whole seconds, at least 1; etcd raises TTLs below its minimum,
     * about 1.5 × its election timeout).
     */
    public static Lease grant(EtcdClient client, Duration ttl) {
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        long sent = System.nanoTime();
        LeaseGrantResponse r = client.grantLease(seconds);
        return new Lease(
                client,
                r.getID(),
                Duration.ofSeconds(r.getTTL()),
                sent + Duration.ofSeconds(r.getTTL()).toNanos());
    }

    /** The lease's id (what etcdctl prints in hex). */
    public long id() {
        return id;
    }

    /** The TTL etcd granted. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Renews the lease: true when it is alive again for its TTL, false when it no longer exists
     * (expired, revoked, or the cluster was rebuilt).
     *
     * @throws StoreException when etcd cannot be reached; the lease may still be alive
     */
    public boolean keepAlive() {
        long sent = System.nanoTime();
        // A renewal slower than half the TTL is a failed one: the caller retries while the lease lives.
        Duration timeout = ttl.dividedBy(2);
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            timeout = Duration.ofSeconds(1);
        }
        if (timeout.compareTo(client.settings().requestTimeout()) > 0) {
            timeout = client.settings().requestTimeout();
        }
        long remaining = client.keepAliveOnce(id, timeout);
        if (remaining <= 0) {
            aliveUntilNanos = sent;
            return false;
        }
        aliveUntilNanos = sent + Duration.ofSeconds(remaining).toNanos();
        return true;
    }

    /** True until the lease could have expired without this process knowing (no margin added). */
    public boolean certainlyAlive() {
        return System.nanoTime() - aliveUntilNanos < 0;
    }

    /** How long the lease is certainly alive from now; zero or negative once it may have expired. */
    public Duration remaining() {
        return Duration.ofNanos(aliveUntilNanos - System.nanoTime());
    }

    /** Ends the lease now: its keys are deleted. A lease that is already gone is not an error. */
    public void revoke() {
        aliveUntilNanos = System.nanoTime();
        try {
            client.revokeLease(id);
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.LEASE_NOT_FOUND) {
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "Lease[" + Long.toHexString(id) + ", ttl " + ttl.toSeconds() + " s]";
    }
}

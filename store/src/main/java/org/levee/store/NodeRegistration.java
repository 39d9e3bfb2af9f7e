package org.levee.store;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.levee.store.etcd.Backoff;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.Lease;
import org.levee.store.etcd.StoreException;

/**
 * Keeps one key in etcd while this process lives: an edge's registration under
 * {@code PREFIX nodes/DC/NODE}. The key is attached to a lease; this class renews the lease on its
 * own timer every third of the TTL (one short keep-alive request each time, not a long-lived
 * stream) and, when the lease is gone — expired during a long partition, revoked, or lost with a
 * rebuilt cluster — grants a new one and puts the key again. When etcd cannot be reached it
 * retries with backoff; the key vanishes by itself one TTL after the last renewal, so a killed
 * node disappears. {@link #close()} revokes the lease: the key goes at once.
 */
public final class NodeRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.levee.store");
    /** Default TTL: a dead edge leaves the registry within 10 s. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    /**
     * How the registration is doing.
     *
     * @param registered true while the key is in etcd with a lease that is certainly alive
     * @param lease the current lease id (0: none)
     * @param registrations how many leases the key has been put with (1 after the first registration)
     * @param lastError the last failure, if any
     */
    public record State(boolean registered, long lease, long registrations, Optional<String> lastError) {}

    private final EtcdClient client;
    private final String key;
    private final Duration ttl;
    private final Thread thread;
    private final Object writeLock = new Object();

    private volatile byte[] value;
    private volatile boolean closed;
    private volatile Lease lease;
    private volatile boolean registered;
    private volatile long registrations;
    private volatile String lastError;
    private volatile boolean needsPut = true;

    private NodeRegistration(EtcdClient client, String key, byte[] value, Duration ttl) {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("registration TTL " + ttl.toMillis() + " ms is outside 1..60 s");
        }
        this.client = Objects.requireNonNull(client, "client");
        this.key = Objects.requireNonNull(key, "key");
        this.value = value.clone();
        this.ttl = ttl;
        this.thread =
                Thread.ofPlatform().daemon().name("levee-registration " + key).unstarted(this::run);
    }

    /** Registers {@code value} at {@code key} with a lease of {@code ttl} (whole seconds) and keeps it there. */
    public static NodeRegistration start(EtcdClient client, String key, byte[] value, Duration ttl) {
        NodeRegistration registration = new NodeRegistration(client, key, value, ttl);
        registration.thread.start();
        return registration;
    }

    public String key() {
        return key;
    }

    /** Replaces the registered value: written now when registered, else with the next registration. */
    public void update(byte[] newValue) {
        value = newValue.clone();
        synchronized (writeLock) {
            Lease current = lease;
            if (registered && current != null) {
                try {
                    client.put(key, value, current.id());
                } catch (StoreException e) {
                    lastError = e.getMessage();
                    needsPut = true;
                }
            } else {
                needsPut = true;
            }
        }
    }

    public State state() {
        Lease current = lease;
        return new State(
                registered && current != null && current.certainlyAlive(),
                current == null ? 0 : current.id(),
                registrations,
                Optional.ofNullable(lastError));
    }

    /** Stops renewing and revokes the lease: the key is deleted now (or, if etcd is away, within one TTL). */
    @Override
    public void close() {
        stop();
        Lease current = lease;
        registered = false;
        if (current != null) {
            try {
                current.revoke();
            } catch (StoreException e) {
                LOG.log(
                        Level.INFO,
                        "registration {0}: revoking the lease failed, the key expires within {1} s: {2}",
                        key,
                        current.ttl().toSeconds(),
                        e.getMessage());
            }
        }
    }

    /** Stops renewing without revoking, as a killed process would: the key expires within one TTL. */
    void abandon() {
        stop();
    }

    private void stop() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), ttl.dividedBy(3));
        while (!closed) {
            Duration pause;
            try {
                renew();
                backoff.reset();
                pause = lease.ttl().dividedBy(3);
            } catch (StoreException e) {
                if (closed) {
                    return;
                }
                lastError = e.getMessage();
                LOG.log(Level.DEBUG, "registration {0}: {1}", key, e.getMessage());
                pause = backoff.next();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One tick: a new lease and put when needed, else a keep-alive. */
    private void renew() {
        Lease current = lease;
        if (current != null && !needsPut) {
            if (current.keepAlive()) {
                return;
            }
            registered = false;
            lastError = "lease " + Long.toHexString(current.id())
                    + " no longer exists (expired or revoked); registering again";
            LOG.log(Level.INFO, "registration {0}: {1}", key, lastError);
            current = null;
        }
        boolean fresh = current == null || !current.certainlyAlive();
        if (fresh) {
            registered = false;
            current = Lease.grant(client, ttl);
            lease = current;
            needsPut = true;
        }
        synchronized (writeLock) {
            client.put(key, value, current.id());
            needsPut = false;
            registered = true;
            if (fresh) {
                registrations++;
            }
        }
    }
}

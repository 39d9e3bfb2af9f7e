package org.levee.store.etcd;

/**
 * A request to etcd failed. The message names the request, the key and etcd's (or gRPC's)
 * reason; {@link #reason()} classifies it for callers that retry or count.
 */
public class StoreException extends RuntimeException {

    /** Why a request failed. */
    public enum Reason {
        /** No member answered (down, unreachable, no leader): retry later. */
        UNAVAILABLE,
        /** The request's deadline passed: the outcome of a write is unknown. */
        TIMEOUT,
        /** A read or watch asked for a revision etcd has compacted away. */
        COMPACTED,
        /** The lease does not exist (expired or revoked). */
        LEASE_NOT_FOUND,
        /** Wrong user or password, or no permission. */
        AUTH,
        /** etcd refused the request as such (too large, too many operations, bad argument). */
        REFUSED,
        /** Anything else. */
        OTHER
    }

    private final Reason reason;

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public StoreException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}

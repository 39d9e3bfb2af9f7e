package org.levee.store.etcd;

import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

/**
 * What a {@link PrefixWatch} delivers: the whole state of its range at one revision, and the
 * changes that led there from the previous delivery.
 *
 * @param cause why this delivery happened
 * @param revision the revision the snapshot is at; greater than the previous delivery's, except in
 *     a {@link Cause#RESYNC} after etcd was restored to an older revision
 * @param snapshot every key of the range at {@code revision}, in key order (unmodifiable)
 * @param changes for {@link Cause#EVENTS}: every change since the previous delivery, in the order
 *     etcd applied them; for {@link Cause#INITIAL}: a put per key; for {@link Cause#RESYNC}: the
 *     difference between the previous snapshot and this one (intermediate values are gone)
 */
public record WatchUpdate(Cause cause, long revision, SortedMap<String, KeyValue> snapshot, List<KeyChange> changes) {

    /** Why a delivery happened. */
    public enum Cause {
        /** The first read of the range. */
        INITIAL,
        /** Changes from the watch stream: nothing was skipped. */
        EVENTS,
        /**
         * The range was read again because the history the watch needed was compacted away (or the
         * store's revision went backwards, as after a restore from backup); changes is a diff.
         */
        RESYNC
    }

    public WatchUpdate {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(snapshot, "snapshot");
        changes = List.copyOf(changes);
    }
}

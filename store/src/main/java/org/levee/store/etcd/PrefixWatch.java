package org.levee.store.etcd;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.levee.store.etcdpb.Event;
import org.levee.store.etcdpb.WatchCreateRequest;
import org.levee.store.etcdpb.WatchRequest;
import org.levee.store.etcdpb.WatchResponse;

/**
 * Follows a key or a prefix in etcd and hands every state of it, in order, to a listener — across
 * stream failures, member restarts, failovers and compactions. Levee's own loop, not a client
 * library's resume logic:
 *
 * <ol>
 *   <li>read the range at a revision R (paged, all pages at R) and deliver it ({@link
 *       WatchUpdate.Cause#INITIAL});
 *   <li>watch from R + 1; deliver the events of each response with the snapshot they lead to
 *       ({@link WatchUpdate.Cause#EVENTS});
 *   <li>when the stream fails (member down, proxy gone, connection lost, member without a raft
 *       leader), wait with capped exponential backoff and watch again from the last delivered
 *       revision + 1: nothing is skipped;
 *   <li>when etcd has compacted that revision away, or its revision went backwards, read the range
 *       again and deliver the difference ({@link WatchUpdate.Cause#RESYNC}).
 * </ol>
 *
 * <p>Deliveries come from this watch's own thread, one at a time, with increasing revisions
 * (the one exception: a resync after etcd was restored from a backup to an older revision). A listener that throws is logged and the watch goes on. Watch ranges of small
 * values (rules, the manifest, registrations), not the object chunks.
 */
public final class PrefixWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.levee.store");
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Receives the deliveries of a watch. */
    @FunctionalInterface
    public interface Listener {
        void onUpdate(WatchUpdate update);
    }

    private sealed interface StreamItem {
        int stream();
    }

    private record Message(int stream, WatchResponse response) implements StreamItem {}

    private record Closed(int stream, Status status) implements StreamItem {}

    /** How one watch stream ended. */
    private enum Ending {
        CLOSED,
        FAILED,
        COMPACTED,
        REVISION_WENT_BACK
    }

    private final EtcdClient client;
    private final KeyRange range;
    private final Listener listener;
    private final Thread thread;
    private final LinkedBlockingQueue<StreamItem> inbox = new LinkedBlockingQueue<>();
    private final Backoff backoff = new Backoff(INITIAL_BACKOFF, MAX_BACKOFF);

    private volatile boolean closed;
    private volatile ClientCall<WatchRequest, WatchResponse> call;
    private volatile boolean connected;
    private volatile long revision;
    private volatile long reconnects;
    private volatile String lastError;

    // Owned by the watch thread.
    private TreeMap<String, KeyValue> current = new TreeMap<>();
    private boolean delivered;
    private int streams;

    private PrefixWatch(EtcdClient client, KeyRange range, Listener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.range = Objects.requireNonNull(range, "range");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = Thread.ofPlatform().daemon().name("levee-watch " + range).unstarted(this::run);
    }

    /** Starts following {@code range}; the first delivery is the range's current state. */
    public static PrefixWatch start(EtcdClient client, KeyRange range, Listener listener) {
        PrefixWatch watch = new PrefixWatch(client, range, listener);
        watch.thread.start();
        return watch;
    }

    /** Starts following every key that starts with {@code prefix}. */
    public static PrefixWatch startPrefix(EtcdClient client, String prefix, Listener listener) {
        return start(client, KeyRange.prefix(prefix), listener);
    }

    public KeyRange range() {
        return range;
    }

    public WatchState state() {
        return new WatchState(connected, revision, reconnects, Optional.ofNullable(lastError));
    }

    /** Stops the watch; no delivery starts after this returns. */
    @Override
    public void close() {
        closed = true;
        ClientCall<WatchRequest, WatchResponse> c = call;
        if (c != null) {
            c.cancel("watch closed", null);
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        boolean read = true;
        while (!closed) {
            try {
                if (read) {
                    readAndDeliver();
                    read = false;
                }
                Ending ending = watchFrom(revision + 1);
                if (closed) {
                    return;
                }
                reconnects++;
                switch (ending) {
                    case COMPACTED, REVISION_WENT_BACK -> read = true;
                    case CLOSED, FAILED -> pause();
                }
            } catch (StoreException e) {
                if (closed) {
                    return;
                }
                connected = false;
                lastError = e.getMessage();
                if (delivered) {
                    reconnects++;
                }
                LOG.log(Level.DEBUG, "watch {0}: {1}", range, e.getMessage());
                pause();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(backoff.next());
        } catch (InterruptedException e) {
            // Only close() interrupts this thread; the loop sees closed and ends.
            return;
        }
        client.reconnectNow(); // our backoff paces reconnection, not gRPC's (which grows to minutes)
    }

    /** Reads the whole range and delivers it: the first time whole, later as the difference. */
    private void readAndDeliver() {
        RangeResult read = client.get(range);
        if (delivered && read.revision() < revision) {
            LOG.log(
                    Level.WARNING,
                    "watch {0}: etcd''s revision went back from {1} to {2} (restored from a backup?); "
                            + "taking its state as it is now",
                    range,
                    revision,
                    read.revision());
        }
        TreeMap<String, KeyValue> fresh = new TreeMap<>();
        read.kvs().forEach(kv -> fresh.put(kv.key(), kv));
        List<KeyChange> changes = difference(current, fresh, read.revision());
        boolean first = !delivered;
        current = fresh;
        revision = read.revision();
        delivered = true;
        if (first || !changes.isEmpty()) {
            deliver(new WatchUpdate(
                    first ? WatchUpdate.Cause.INITIAL : WatchUpdate.Cause.RESYNC, revision, snapshot(), changes));
        }
    }

    /** Watches from {@code start} until the stream ends; delivers the events on the way. */
    private Ending watchFrom(long start) throws InterruptedException {
        int stream = ++streams;
        inbox.clear();
        ClientCall<WatchRequest, WatchResponse> c = client.newWatchCall();
        call = c;
        c.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(WatchResponse message) {
                        inbox.add(new Message(stream, message));
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        inbox.add(new Closed(stream, status));
                    }
                },
                EtcdClient.watchHeaders());
        if (closed) {
            c.cancel("watch closed", null);
            return Ending.CLOSED;
        }
        c.sendMessage(WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder()
                        .setKey(EtcdClient.bytes(range.start()))
                        .setRangeEnd(com.google.protobuf.ByteString.copyFrom(range.endBytes()))
                        .setStartRevision(start))
                .build());
        c.request(1);
        try {
            while (!closed) {
                StreamItem item = inbox.poll(1, TimeUnit.SECONDS);
                if (item == null || item.stream() != stream) {
                    continue;
                }
                if (item instanceof Closed(int s, Status status)) {
                    connected = false;
                    client.streamFailed(status.getDescription());
                    lastError = "watch stream ended: " + status.getCode()
                            + (status.getDescription() == null ? "" : ": " + status.getDescription());
                    LOG.log(Level.DEBUG, "watch {0}: {1}", range, lastError);
                    return Ending.FAILED;
                }
                WatchResponse r = ((Message) item).response();
                if (r.getCanceled() || r.getCompactRevision() > 0) {
                    connected = false;
                    if (r.getCompactRevision() > 0) {
                        lastError = "revision " + start + " was compacted (etcd keeps history from "
                                + r.getCompactRevision() + ")";
                        return Ending.COMPACTED;
                    }
                    lastError = "etcd cancelled the watch: " + r.getCancelReason();
                    client.streamFailed(r.getCancelReason());
                    return Ending.FAILED;
                }
                if (r.getCreated()) {
                    if (r.getHeader().getRevision() < start - 1) {
                        lastError = "etcd's revision " + r.getHeader().getRevision() + " is below the watch's "
                                + (start - 1);
                        return Ending.REVISION_WENT_BACK;
                    }
                    connected = true;
                    backoff.reset();
                } else if (r.getEventsCount() > 0) {
                    apply(r);
                }
                c.request(1);
            }
            return Ending.CLOSED;
        } finally {
            c.cancel("watch stream replaced", null);
        }
    }

    private void apply(WatchResponse r) {
        List<KeyChange> changes = new ArrayList<>(r.getEventsCount());
        long last = revision;
        for (Event event : r.getEventsList()) {
            KeyValue kv = EtcdClient.keyValue(event.getKv());
            last = Math.max(last, kv.modRevision());
            if (!range.contains(kv.key())) {
                continue;
            }
            if (event.getType() == Event.EventType.DELETE) {
                current.remove(kv.key());
                changes.add(KeyChange.delete(kv.key(), kv.modRevision()));
            } else {
                current.put(kv.key(), kv);
                changes.add(KeyChange.put(kv));
            }
        }
        if (last <= revision) {
            return; // already delivered (cannot happen with a watch from revision + 1)
        }
        revision = last;
        if (!changes.isEmpty()) {
            deliver(new WatchUpdate(WatchUpdate.Cause.EVENTS, last, snapshot(), changes));
        }
    }

    private void deliver(WatchUpdate update) {
        try {
            listener.onUpdate(update);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "watch " + range + ": the listener failed on revision " + update.revision(), e);
        }
    }

    private SortedMap<String, KeyValue> snapshot() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(current));
    }

    /** Puts for new and rewritten keys (in revision order), then deletes for keys that are gone. */
    static List<KeyChange> difference(Map<String, KeyValue> before, Map<String, KeyValue> after, long revision) {
        List<KeyChange> changes = new ArrayList<>();
        after.values().stream()
                .filter(kv -> {
                    KeyValue old = before.get(kv.key());
                    return old == null
                            || old.modRevision() != kv.modRevision()
                            || old.createRevision() != kv.createRevision();
                })
                .sorted(Comparator.comparingLong(KeyValue::modRevision).thenComparing(KeyValue::key))
                .forEach(kv -> changes.add(KeyChange.put(kv)));
        before.keySet().stream()
                .filter(k -> !after.containsKey(k))
                .forEach(k -> changes.add(KeyChange.delete(k, revision)));
        return changes;
    }
}

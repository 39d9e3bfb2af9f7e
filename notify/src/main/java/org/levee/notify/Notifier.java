package org.levee.notify;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends notifications to every sink, each sink from a bounded queue of its own on a thread of its
 * own: {@link #offer} never blocks the thread that reports (the detector's), a slow or dead
 * receiver delays only its own sink, and each sink gets events in the order they were offered.
 * When a sink's queue is full, its oldest event is dropped (and counted): the newest events are
 * the ones that matter during a long attack. What becomes of each event is counted per sink
 * ({@link #stats()}) and logged when it is not delivered.
 */
public final class Notifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Notifier.class.getName());

    /** What became of one event at one sink. */
    public enum Outcome {
        /** The sink took it. */
        DELIVERED,
        /** The sink gave up on it (after its retries). */
        FAILED,
        /** Pushed out of a full queue before its turn. */
        DROPPED,
        /** Taken back before its turn ({@link #discardQueued}, {@link #close}): not delivered, not failed. */
        DISCARDED
    }

    /** One sink's counts since start. */
    public record SinkStats(String sink, long delivered, long failed, long dropped) {}

    private final List<Worker> workers;
    private final Set<EventKind> events;

    /**
     * A notifier for {@code sinks}, sending the {@code events} kinds, with {@code capacity}
     * events waiting at most per sink. Its threads start now.
     */
    public Notifier(List<Sink> sinks, Set<EventKind> events, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.events = events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
        List<Worker> list = new ArrayList<>();
        for (Sink s : sinks) {
            list.add(new Worker(s, capacity));
        }
        this.workers = List.copyOf(list);
        workers.forEach(Worker::start);
    }

    /** The sinks {@code config} names (a command, then its webhooks in order), started. */
    public static Notifier start(NotificationsConfig config) {
        List<Sink> sinks = new ArrayList<>();
        if (!config.command().isEmpty()) {
            sinks.add(new CommandSink(config.command(), config.timeout()));
        }
        for (int i = 0; i < config.webhooks().size(); i++) {
            NotificationsConfig.Webhook hook = config.webhooks().get(i);
            sinks.add(new WebhookSink(
                    "webhook[" + i + "]",
                    hook,
                    hook.timeout().orElse(config.timeout()),
                    hook.retries().orElse(config.retries())));
        }
        return new Notifier(sinks, config.events(), config.queue());
    }

    /** A notifier with nowhere to send: offers are ignored. */
    public static Notifier none() {
        return new Notifier(List.of(), Set.of(), 1);
    }

    /** True when events of {@code kind} go somewhere. */
    public boolean wants(EventKind kind) {
        return !workers.isEmpty() && events.contains(kind);
    }

    /** Queues {@code n} for every sink, if its kind is wanted; never blocks. */
    public void offer(Notification n) {
        offer(n, outcomes -> {});
    }

    /**
     * Queues {@code n} for every sink, if its kind is wanted; never blocks. {@code done} is called
     * once, on a sink's thread (or this one), when every sink is finished with it, with what
     * became of it at each sink (an empty map when its kind is not wanted).
     */
    public void offer(Notification n, Consumer<Map<String, Outcome>> done) {
        if (!wants(n.kind())) {
            done.accept(Map.of());
            return;
        }
        Item item = new Item(n, NotificationJson.toBytes(n), new Completion(workers.size(), done));
        for (Worker w : workers) {
            w.enqueue(item);
        }
    }

    /** Each sink's counts. */
    public List<SinkStats> stats() {
        return workers.stream()
                .map(w -> new SinkStats(w.sink.name(), w.delivered.get(), w.failed.get(), w.dropped.get()))
                .toList();
    }

    /** Events waiting in all queues, and being delivered. */
    public int pending() {
        return workers.stream().mapToInt(Worker::pending).sum();
    }

    /**
     * Takes back every event still waiting (not those being delivered): their {@code done} says
     * {@link Outcome#DISCARDED}. A controller that stops leading does this: the next leader sends them.
     */
    public void discardQueued() {
        workers.forEach(Worker::discard);
    }

    /** Stops after at most {@code grace} spent finishing what is queued; what is left is discarded and logged. */
    public void close(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Worker w : workers) {
            w.finish(deadline);
        }
        for (Worker w : workers) {
            w.stop();
        }
    }

    /** {@link #close(Duration)} with a grace of 2 s. */
    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    private record Item(Notification notification, byte[] json, Completion completion) {}

    /** Calls {@code done} when every sink has reported. */
    private static final class Completion {
        private final AtomicInteger remaining;
        private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
        private final Consumer<Map<String, Outcome>> done;

        Completion(int sinks, Consumer<Map<String, Outcome>> done) {
            this.remaining = new AtomicInteger(sinks);
            this.done = done;
        }

        void report(String sink, Outcome outcome) {
            synchronized (outcomes) {
                outcomes.put(sink, outcome);
            }
            if (remaining.decrementAndGet() == 0) {
                Map<String, Outcome> all;
                synchronized (outcomes) {
                    all = Map.copyOf(outcomes);
                }
                try {
                    done.accept(all);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "after a notification: " + e, e);
                }
            }
        }
    }

    /** One sink's queue and thread. */
    private static final class Worker implements Runnable {
        private final Sink sink;
        private final int capacity;
        private final ArrayDeque<Item> queue = new ArrayDeque<>();
        private final Thread thread;
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private boolean busy;
        private boolean stopping;

        Worker(Sink sink, int capacity) {
            this.sink = sink;
            this.capacity = capacity;
            this.thread = Thread.ofPlatform()
                    .name("levee-notify-" + sink.name())
                    .daemon()
                    .unstarted(this);
        }

        void start() {
            thread.start();
        }

        void enqueue(Item item) {
            Item pushedOut = null;
            synchronized (this) {
                if (stopping) {
                    pushedOut = item;
                } else {
                    if (queue.size() >= capacity) {
                        pushedOut = queue.pollFirst();
                    }
                    queue.addLast(item);
                    notifyAll();
                }
            }
            if (pushedOut == item) {
                item.completion().report(sink.name(), Outcome.DISCARDED);
            } else if (pushedOut != null) {
                dropped.incrementAndGet();
                LOG.log(
                        Level.WARNING,
                        "notification {0} ({1}) dropped for {2}: {3} newer ones are waiting",
                        pushedOut.notification().id(),
                        pushedOut.notification().kind().keyword(),
                        sink.describe(),
                        capacity);
                pushedOut.completion().report(sink.name(), Outcome.DROPPED);
            }
        }

        synchronized int pending() {
            return queue.size() + (busy ? 1 : 0);
        }

        void discard() {
            List<Item> taken;
            synchronized (this) {
                taken = new ArrayList<>(queue);
                queue.clear();
            }
            taken.forEach(i -> i.completion().report(sink.name(), Outcome.DISCARDED));
        }

        /** Waits until the queue is empty and nothing is being delivered, or the deadline. */
        synchronized void finish(long deadlineNanos) {
            while ((!queue.isEmpty() || busy) && thread.isAlive()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void stop() {
            int left;
            synchronized (this) {
                stopping = true;
                left = queue.size() + (busy ? 1 : 0);
                notifyAll();
            }
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            discard();
            sink.close();
            if (left > 0) {
                LOG.log(Level.WARNING, "{0} notifications not sent to {1}: stopping", left, sink.describe());
            }
        }

        @Override
        public void run() {
            while (true) {
                Item item;
                synchronized (this) {
                    while (queue.isEmpty() && !stopping) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            if (stopping) {
                                return;
                            }
                        }
                    }
                    if (stopping) {
                        return;
                    }
                    item = queue.pollFirst();
                    busy = true;
                }
                Outcome outcome;
                try {
                    outcome = send(item);
                } catch (InterruptedException e) {
                    outcome = Outcome.DISCARDED;
                }
                synchronized (this) {
                    busy = false;
                    notifyAll();
                }
                item.completion().report(sink.name(), outcome);
                if (outcome == Outcome.DISCARDED) {
                    return; // interrupted: stopping
                }
            }
        }

        private Outcome send(Item item) throws InterruptedException {
            Notification n = item.notification();
            Delivery d;
            try {
                d = sink.deliver(n, item.json());
            } catch (RuntimeException e) {
                d = Delivery.failed(1, e.toString());
            }
            if (d.delivered()) {
                delivered.incrementAndGet();
                LOG.log(
                        Level.DEBUG,
                        "notification {0} ({1}) delivered to {2}{3}: {4}",
                        n.id(),
                        n.kind().keyword(),
                        sink.describe(),
                        d.attempts() > 1 ? " at attempt " + d.attempts() : "",
                        d.detail());
                return Outcome.DELIVERED;
            }
            failed.incrementAndGet();
            LOG.log(
                    Level.WARNING,
                    "notification {0} ({1}) not delivered to {2} ({3} attempt{4}): {5}",
                    n.id(),
                    n.kind().keyword(),
                    sink.describe(),
                    d.attempts(),
                    d.attempts() == 1 ? "" : "s",
                    d.detail());
            return Outcome.FAILED;
        }
    }
}

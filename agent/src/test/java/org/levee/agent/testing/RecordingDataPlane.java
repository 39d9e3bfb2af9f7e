package org.levee.agent.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.levee.dataplane.AttachedProgram;
import org.levee.dataplane.Counters;
import org.levee.dataplane.DataPlane;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.Sample;

/**
 * A data plane without a kernel, for tests of the agent's own logic (API, rule book, detection
 * loop): it compiles every applied rule set with the real rule compiler (libpcap, signatures),
 * so a rule the real data plane would refuse is refused here too, and records what was applied.
 * Tests feed samples with {@link #offer} and set counters with {@link #setCounters}.
 */
public final class RecordingDataPlane implements DataPlane {
    private final RuleFilters filters;
    private final List<RuleSet> applied = new ArrayList<>();
    /** What {@link #offer} was given; tagged with the data center and node when polled. */
    private record Offered(long timestampNanos, int wireLength, int samplingRate, byte[] packet) {}

    private final LinkedBlockingQueue<Offered> samples = new LinkedBlockingQueue<>();
    private volatile Counters counters = Counters.ZERO;
    private volatile int sampleRate = 1;
    private volatile RuntimeException failNextApply;
    private boolean closed;
    private boolean detached;
    private long programId = 1;

    public RecordingDataPlane() {
        this(new RuleFilters());
    }

    /** A data plane compiling with {@code filters} (a counting compiler, say). */
    public RecordingDataPlane(RuleFilters filters) {
        this.filters = filters;
    }

    @Override
    public RuleFilters filters() {
        return filters;
    }

    @Override
    public synchronized AttachedProgram attachment() {
        return new AttachedProgram(
                "rec0",
                "",
                1,
                programId,
                applied.isEmpty() ? "" : applied.getLast().version(),
                false);
    }

    @Override
    public synchronized void apply(RuleSet rules, String datacenter) {
        RuntimeException failure = failNextApply;
        if (failure != null) {
            failNextApply = null;
            throw failure;
        }
        filters.compile("rule set " + rules.version(), rules);
        applied.add(rules);
        programId++;
    }

    /** Makes the next {@link #apply} throw {@code e} (a verifier refusal, say). */
    public void failNextApply(RuntimeException e) {
        failNextApply = e;
    }

    /** Every rule set applied, oldest first. */
    public synchronized List<RuleSet> applied() {
        return List.copyOf(applied);
    }

    public synchronized RuleSet current() {
        return applied.getLast();
    }

    @Override
    public Counters counters() {
        return counters;
    }

    public void setCounters(Counters c) {
        counters = c;
    }

    /** Sets one rule's counters, keeping the rest. */
    public void setRuleCounters(String id, long packets, long bytes) {
        Map<String, Counters.RuleCounters> rules = new HashMap<>(counters.rules());
        rules.put(id, new Counters.RuleCounters(packets, bytes));
        Counters c = counters;
        counters =
                new Counters(c.seen(), c.passed(), c.dropped(), c.ratelimited(), c.sampled(), c.samplesLost(), rules);
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public void setSampleRate(int rate) {
        sampleRate = rate;
    }

    /** A sample the next {@link #pollSamples} hands over. */
    public void offer(long timestampNanos, int wireLength, int samplingRate, byte[] packet) {
        samples.add(new Offered(timestampNanos, wireLength, samplingRate, packet));
    }

    @Override
    public int pollSamples(Duration timeout, String datacenter, String node, Consumer<Sample> handler) {
        int n = 0;
        try {
            Offered next = samples.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            while (next != null) {
                handler.accept(new Sample(
                        next.packet(),
                        next.wireLength(),
                        next.samplingRate(),
                        next.timestampNanos(),
                        datacenter,
                        node));
                n++;
                next = n < 100_000 ? samples.poll() : null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return n;
    }

    @Override
    public synchronized void close(boolean detach) {
        closed = true;
        detached = detach;
    }

    public synchronized boolean closed() {
        return closed;
    }

    public synchronized boolean detached() {
        return detached;
    }
}

package org.levee.agent.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.levee.agent.dataplane.AttachedProgram;
import org.levee.agent.dataplane.Counters;
import org.levee.agent.dataplane.DataPlane;
import org.levee.agent.dataplane.PacketSample;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;

/**
 * A data plane without a kernel, for tests of the agent's own logic (API, rule book, detection
 * loop): it compiles every applied rule set with the real rule compiler (libpcap, signatures),
 * so a rule the real data plane would refuse is refused here too, and records what was applied.
 * Tests feed samples with {@link #offer} and set counters with {@link #setCounters}.
 */
public final class RecordingDataPlane implements DataPlane {
    private final RuleFilters filters;
    private final List<RuleSet> applied = new ArrayList<>();
    private final LinkedBlockingQueue<PacketSample> samples = new LinkedBlockingQueue<>();
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
        return new AttachedProgram("rec0", "", 1, programId, applied.isEmpty() ? "" : applied.getLast().version(), false);
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
        counters = new Counters(c.seen(), c.passed(), c.dropped(), c.ratelimited(), c.sampled(), c.samplesLost(), rules);
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public void setSampleRate(int rate) {
        sampleRate = rate;
    }

    public void offer(PacketSample s) {
        samples.add(s);
    }

    @Override
    public int pollSamples(Duration timeout, Consumer<PacketSample> handler) {
        int n = 0;
        try {
            PacketSample first = samples.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null) {
                return 0;
            }
            handler.accept(first);
            n++;
            PacketSample next;
            while (n < 100_000 && (next = samples.poll()) != null) {
                handler.accept(next);
                n++;
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

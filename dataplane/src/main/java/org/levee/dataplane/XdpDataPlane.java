package org.levee.dataplane;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.levee.dataplane.object.RuleSetCompiler;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.dataplane.program.RuleKey;
import org.levee.dataplane.program.SampleLayout;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.ringbuf.RingBufferReader;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.Sample;

/**
 * The data plane's façade: the XDP program on one interface, pinned under
 * {@code /sys/fs/bpf/levee/[<netns>/]<iface>/}, as {@code levee run} and
 * {@code levee dataplane attach} both use it. Every {@link #apply} compiles the rule set once into
 * a rule-set object (each rule's filter once, remembered by {@link #filters}; the program with a
 * {@link RuleSetCompiler}, which reuses what the previous apply compiled, so a change of one rule
 * compiles little more than that rule) and
 * {@linkplain #install installs} it specialised for the data center: the first time with a new
 * link, afterwards (and when a previous run left its program pinned) by swapping the program with
 * {@code BPF_LINK_UPDATE}, so a restart never leaves the interface unprotected.
 */
public final class XdpDataPlane implements DataPlane {

    private final PinLayout layout;
    private final XdpMode mode;
    private final int sampleBytes;
    private final int ifindex;
    private final boolean adopted;
    private final RuleFilters filters;
    /** The sessions compiling the main program and the local stage: each reuses what its last compile made. */
    private final RuleSetCompiler compiler;

    private final RuleSetCompiler localCompiler;
    private volatile int sampleRate;
    private volatile DataplaneMapSet maps;
    private volatile List<String> ruleIds = List.of();
    private volatile List<String> localRuleIds = List.of();
    private volatile long programId;
    private volatile long localProgramId;
    private volatile String version = "";
    private volatile ApplyReport lastApply;
    private RingBufferReader samples;
    private boolean appliedBefore;
    /**
     * Whether this process knows the local stage's rules (it installed or emptied the stage): only
     * then may entries of the per-rule maps that no known rule has be deleted.
     */
    private boolean localStageKnown;

    private boolean closed;

    private XdpDataPlane(
            PinLayout layout,
            XdpMode mode,
            int sampleBytes,
            int ifindex,
            boolean adopted,
            int sampleRate,
            RuleFilters filters) {
        this.layout = layout;
        this.mode = mode;
        this.sampleBytes = sampleBytes;
        this.ifindex = ifindex;
        this.adopted = adopted;
        this.sampleRate = sampleRate;
        this.filters = filters;
        ProgramBuilder builder = new ProgramBuilder(sampleBytes, ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM);
        this.compiler = new RuleSetCompiler(builder);
        this.localCompiler = new RuleSetCompiler(builder.localStage());
    }

    /**
     * Prepares the data plane of {@code iface} (in namespace {@code netns}, null for this one).
     * Nothing is attached or replaced until the first {@link #apply}; a program pinned by an
     * earlier run keeps running until then and is replaced, not detached.
     *
     * @throws DataplaneException when the interface or namespace does not exist
     */
    public static XdpDataPlane open(String iface, String netns, XdpMode mode, int initialSampleRate) {
        return open(iface, netns, mode, initialSampleRate, new RuleFilters());
    }

    /** Like {@link #open(String, String, XdpMode, int)}, compiling rules with {@code filters}. */
    public static XdpDataPlane open(
            String iface, String netns, XdpMode mode, int initialSampleRate, RuleFilters filters) {
        PinLayout layout = new PinLayout(iface, netns);
        int ifindex = Attachment.interfaceIndex(layout);
        boolean adopted = Files.exists(layout.pin(PinLayout.LINK));
        return new XdpDataPlane(
                layout, mode, ProgramLimits.DEFAULT_SAMPLE_BYTES, ifindex, adopted, initialSampleRate, filters);
    }

    public PinLayout layout() {
        return layout;
    }

    @Override
    public AttachedProgram attachment() {
        return new AttachedProgram(
                layout.iface(), layout.netns() == null ? "" : layout.netns(), ifindex, programId, version, adopted);
    }

    /**
     * {@inheritDoc} All of the node's rules are in {@code rules}: the local stage an edge may have
     * left (see {@link #installLocal}) is emptied once the new program runs.
     */
    @Override
    public synchronized void apply(RuleSet rules, String datacenter) {
        requireOpen();
        long start = System.nanoTime();
        RuleSetObject object = compiler.compile(rules, filters.compile("rule set " + rules.version(), rules));
        Duration compile = Duration.ofNanos(System.nanoTime() - start);
        // The first apply of this process sets its sample rate; later ones keep what setSampleRate set.
        Attachment.Result result = install(object, datacenter, maps == null ? sampleRate : null);
        lastApply = new ApplyReport(compile, result.load(), result.attach(), compiler.lastUse());
        if (!localRuleIds.isEmpty() || localProgramId != 0 || !appliedBefore) {
            LocalStage.clear(layout, maps);
            localRuleIds = List.of();
            localProgramId = 0;
            localStageKnown = true;
        }
        appliedBefore = true;
        forgetRetiredRules();
    }

    /**
     * Loads {@code rules} as the second rules stage, specialised for {@code datacenter}: the
     * programs the main program tail-calls when none of its own rules matched. An edge keeps its
     * local rules there, so that the fleet's object, {@linkplain #install installed} as the main
     * program, is the same on every edge of a data center. Each rule's filter is compiled once
     * ({@link #filters}); the rules are counted like the main program's ({@link #counters}). An
     * empty set (or one with no rule enabled here) empties the stage. The stage outlives main
     * program swaps and this process, like the maps.
     *
     * @throws IllegalStateException when no program is attached yet (nothing would reach the stage)
     * @throws org.levee.rules.RuleSetException naming a rule whose filter does not compile
     * @throws org.levee.ebpf.BpfException when the kernel refuses a program; the stage is unchanged
     */
    public synchronized void installLocal(RuleSet rules, String datacenter) {
        requireOpen();
        RuleSetObject object =
                localCompiler.compile(rules, filters.compile("local rule set " + rules.version(), rules));
        String here = datacenter == null || datacenter.isEmpty() ? null : datacenter;
        localProgramId = LocalStage.install(layout, pinnedMaps(), object, here, Instant.now());
        localRuleIds = object.rules().stream().map(r -> r.id()).toList();
        localStageKnown = true;
        forgetRetiredRules();
    }

    /**
     * Gives back the counter slots and deletes the rate-limit state of rules that are in
     * neither stage any more. They hold {@value ProgramLimits#MAX_RULES} entries at most, and a
     * long-running node makes new automatic rules all the time: without this the maps would fill
     * and the next rule set could not be loaded (E2BIG). Entries of the rules running now are
     * kept, so their counts and rate-limit state carry over. Nothing is deleted until this process
     * knows the local stage's rules (a stage left by an earlier process has rules it does not know).
     */
    private void forgetRetiredRules() {
        DataplaneMapSet m = maps;
        if (!localStageKnown || m == null) {
            return;
        }
        Set<String> runningIds = new HashSet<>(ruleIds);
        runningIds.addAll(localRuleIds);
        RuleSlots.release(m, runningIds);
        Set<ByteBuffer> running = new HashSet<>();
        for (String id : runningIds) {
            running.add(ByteBuffer.wrap(BpfMap.longBytes(RuleKey.of(id))));
        }
        BpfMap limits = m.get(DataplaneMaps.RATE_LIMITS);
        for (byte[] key : limits.keys()) {
            if (!running.contains(ByteBuffer.wrap(key))) {
                limits.delete(key);
            }
        }
    }

    /** How long the last {@link #apply} took, step by step; null before the first. */
    public ApplyReport lastApply() {
        return lastApply;
    }

    /** The id of the local stage's first program, 0 when the stage is empty. */
    public long localProgramId() {
        return localProgramId;
    }

    /** The maps of the program attached now, opened on first need (an adopted program keeps its own). */
    private DataplaneMapSet pinnedMaps() {
        if (maps == null) {
            if (!Files.exists(layout.pin(PinLayout.LINK))) {
                throw new IllegalStateException("nothing is attached to " + layout.describe() + " yet");
            }
            maps = DataplaneMapSet.openPinned(layout.directory());
            // as in install: an adopted program keeps its maps, this data plane's sample rate applies from now on
            Attachment.setSampleRateOf(maps, sampleRate);
        }
        return maps;
    }

    /**
     * Installs a compiled rule-set object specialised for {@code datacenter} (null or empty: none):
     * attaches it, or swaps it for the program running now, atomically.
     *
     * @param sampleRate N of the sampler, or null to keep the running program's (a first attach
     *     then samples 1 in {@value Attachment#DEFAULT_SAMPLE_RATE})
     * @throws DataplaneException for anything the caller can fix; the running program is untouched
     */
    public synchronized Attachment.Result install(RuleSetObject object, String datacenter, Integer sampleRate) {
        requireOpen();
        String here = datacenter == null || datacenter.isEmpty() ? null : datacenter;
        Attachment.Result result = Attachment.attach(layout, object, here, sampleRate, mode, Instant.now());
        programId = result.programId();
        version = object.version();
        ruleIds = object.rules().stream().map(r -> r.id()).toList();
        if (maps == null) {
            maps = DataplaneMapSet.openPinned(layout.directory());
            if (sampleRate == null) {
                this.sampleRate = Attachment.sampleRateOf(maps);
            } else {
                // An adopted program keeps its maps; this data plane's sample rate applies from now on.
                Attachment.setSampleRateOf(maps, sampleRate);
            }
        }
        if (sampleRate != null) {
            this.sampleRate = sampleRate;
        }
        forgetRetiredRules();
        return result;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the data plane of " + layout.describe() + " is closed");
        }
    }

    @Override
    public void warmUp() {
        WarmUp.inBackground(true);
    }

    @Override
    public RuleFilters filters() {
        return filters;
    }

    @Override
    public Counters counters() {
        DataplaneMapSet m = maps;
        if (m == null) {
            return Counters.ZERO;
        }
        Map<Counter, Long> c = Status.sumCounters(m.get(DataplaneMaps.COUNTERS));
        BpfMap stats = m.get(DataplaneMaps.RULE_STATS);
        BpfMap slots = m.get(DataplaneMaps.RULE_SLOTS);
        List<String> ids = new ArrayList<>(ruleIds);
        ids.addAll(localRuleIds);
        Map<String, Counters.RuleCounters> rules = new HashMap<>();
        RuleSlots.counts(slots, stats, ids)
                .forEach((id, counts) -> rules.put(id, new Counters.RuleCounters(counts[0], counts[1])));
        return new Counters(
                get(c, Counter.SEEN),
                get(c, Counter.PASSED),
                get(c, Counter.DROPPED),
                get(c, Counter.RATELIMITED),
                get(c, Counter.SAMPLED),
                get(c, Counter.SAMPLES_LOST),
                rules);
    }

    @Override
    public Counters totals() {
        DataplaneMapSet m = maps;
        if (m == null) {
            return Counters.ZERO;
        }
        Map<Counter, Long> c = Status.sumCounters(m.get(DataplaneMaps.COUNTERS));
        return new Counters(
                get(c, Counter.SEEN),
                get(c, Counter.PASSED),
                get(c, Counter.DROPPED),
                get(c, Counter.RATELIMITED),
                get(c, Counter.SAMPLED),
                get(c, Counter.SAMPLES_LOST),
                Map.of());
    }

    private static long get(Map<Counter, Long> counters, Counter c) {
        return counters.getOrDefault(c, 0L);
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public synchronized void setSampleRate(int rate) {
        if (rate < 1) {
            throw new IllegalArgumentException("sample rate " + rate + " is below 1");
        }
        sampleRate = rate;
        if (maps != null) {
            Attachment.setSampleRateOf(maps, rate);
        }
    }

    @Override
    public int pollSamples(Duration timeout, String datacenter, String node, Consumer<Sample> handler) {
        RingBufferReader reader = reader();
        if (reader == null) {
            sleep(timeout);
            return 0;
        }
        return reader.poll(timeout, record -> handler.accept(SampleLayout.decode(record, datacenter, node)));
    }

    private synchronized RingBufferReader reader() {
        if (samples == null && maps != null && !closed) {
            samples = RingBufferReader.open(maps.get(DataplaneMaps.SAMPLES));
        }
        return samples;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close(boolean detach) {
        if (closed) {
            return;
        }
        closed = true;
        if (samples != null) {
            samples.close();
        }
        if (maps != null) {
            maps.close();
        }
        if (detach) {
            Attachment.detach(layout);
        }
    }
}

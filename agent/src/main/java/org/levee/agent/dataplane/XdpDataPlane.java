package org.levee.agent.dataplane;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.DataplaneMapSet;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.dataplane.program.RuleKey;
import org.levee.dataplane.program.Sample;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.ringbuf.RingBufferReader;

/**
 * The real data plane: the dataplane module's XDP program on one interface, pinned under
 * {@code /sys/fs/bpf/levee/[<netns>/]<iface>/}. Every {@link #apply} compiles the rule set once
 * into a rule-set object and attaches it specialised for the data center: the first time with a
 * new link, afterwards (and when a previous agent left its program pinned) by swapping the
 * program with {@code BPF_LINK_UPDATE}, so a restart never leaves the interface unprotected.
 */
public final class XdpDataPlane implements DataPlane {

    private final PinLayout layout;
    private final XdpMode mode;
    private final int sampleBytes;
    private final int ifindex;
    private final boolean adopted;
    private final RuleFilters filters = new RuleFilters();
    private volatile int sampleRate;
    private volatile DataplaneMapSet maps;
    private volatile List<String> ruleIds = List.of();
    private volatile long programId;
    private volatile String version = "";
    private RingBufferReader samples;
    private boolean closed;

    private XdpDataPlane(PinLayout layout, XdpMode mode, int sampleBytes, int ifindex, boolean adopted, int sampleRate) {
        this.layout = layout;
        this.mode = mode;
        this.sampleBytes = sampleBytes;
        this.ifindex = ifindex;
        this.adopted = adopted;
        this.sampleRate = sampleRate;
    }

    /**
     * Prepares the data plane of {@code iface} (in namespace {@code netns}, null for this one).
     * Nothing is attached or replaced until the first {@link #apply}; a program pinned by an
     * earlier run keeps running until then and is replaced, not detached.
     *
     * @throws DataplaneException when the interface or namespace does not exist
     */
    public static XdpDataPlane open(String iface, String netns, XdpMode mode, int initialSampleRate) {
        PinLayout layout = new PinLayout(iface, netns);
        int ifindex = interfaceIndex(layout);
        boolean adopted = Files.exists(layout.pin(PinLayout.LINK));
        return new XdpDataPlane(layout, mode, ProgramLimits.DEFAULT_SAMPLE_BYTES, ifindex, adopted, initialSampleRate);
    }

    private static int interfaceIndex(PinLayout layout) {
        try {
            if (layout.netns() == null) {
                return NetworkInterfaces.index(layout.iface());
            }
            if (!Netns.exists(layout.netns())) {
                throw new DataplaneException("no network namespace '" + layout.netns() + "'");
            }
            return Netns.run(layout.netns(), (Callable<Integer>) () -> NetworkInterfaces.index(layout.iface()));
        } catch (DataplaneException e) {
            throw e;
        } catch (Exception e) {
            throw new DataplaneException("no " + layout.describe() + " (" + e.getMessage() + ")", e);
        }
    }

    public PinLayout layout() {
        return layout;
    }

    @Override
    public AttachedProgram attachment() {
        return new AttachedProgram(layout.iface(), layout.netns() == null ? "" : layout.netns(), ifindex, programId, version,
                adopted);
    }

    @Override
    public synchronized void apply(RuleSet rules, String datacenter) {
        if (closed) {
            throw new IllegalStateException("the data plane of " + layout.describe() + " is closed");
        }
        RuleSetObject object = RuleSetObject.compile(rules, filters.compile("rule set " + rules.version(), rules),
                new ProgramBuilder(sampleBytes, ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM));
        org.levee.dataplane.Attachment.Result result = org.levee.dataplane.Attachment.attach(layout, object,
                datacenter == null || datacenter.isEmpty() ? null : datacenter,
                maps == null ? sampleRate : null, mode, Instant.now());
        programId = result.programId();
        version = rules.version();
        ruleIds = rules.rules().stream().map(Rule::id).toList();
        if (maps == null) {
            maps = DataplaneMapSet.openPinned(layout.directory());
            // An adopted program keeps its maps; the agent's sample rate applies from now on.
            org.levee.dataplane.Attachment.setSampleRateOf(maps, sampleRate);
        }
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
        Map<String, Counters.RuleCounters> rules = new HashMap<>();
        for (String id : ruleIds) {
            long[] counts = Status.ruleCounts(stats, RuleKey.of(id));
            rules.put(id, new Counters.RuleCounters(counts[0], counts[1]));
        }
        return new Counters(get(c, Counter.SEEN), get(c, Counter.PASSED), get(c, Counter.DROPPED),
                get(c, Counter.RATELIMITED), get(c, Counter.SAMPLED), get(c, Counter.SAMPLES_LOST), rules);
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
            org.levee.dataplane.Attachment.setSampleRateOf(maps, rate);
        }
    }

    @Override
    public int pollSamples(Duration timeout, Consumer<PacketSample> handler) {
        RingBufferReader reader = reader();
        if (reader == null) {
            sleep(timeout);
            return 0;
        }
        return reader.poll(timeout, record -> {
            Sample s = Sample.decode(record.toArray(JAVA_BYTE));
            handler.accept(new PacketSample(s.timestampNanos(), s.packetLength(), s.sampleRate(), s.packet()));
        });
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
            org.levee.dataplane.Attachment.detach(layout);
        }
    }
}

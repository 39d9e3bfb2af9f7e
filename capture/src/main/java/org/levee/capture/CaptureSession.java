package org.levee.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.Compilation;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.PossibleCpus;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.ringbuf.RingBufferReader;

/**
 * A running capture: one program per chosen action in the hook's slots, the maps they share,
 * and the ring buffer reader.
 *
 * <p>Two ways to end it, for two threads: {@link #detach()} only empties the hook slots (safe to
 * call from a shutdown hook while another thread is reading), {@link #close()} detaches and
 * frees everything (call it from the thread that reads). Both may be called more than once.
 */
public final class CaptureSession implements AutoCloseable {
    /** Default bytes of each packet to keep. */
    public static final int DEFAULT_SNAPLEN = 65_535;
    /** Default ring buffer size: room for about 40 000 records of 64-byte frames between two reads. */
    public static final int DEFAULT_RING_BYTES = 4 << 20;

    private final CaptureHook hook;
    private final BpfMap counters;
    private final BpfMap scratch;
    private final BpfMap ring;
    private final RingBufferReader reader;
    private final Map<XdpAction, Program> programs = new EnumMap<>(XdpAction.class);
    private final CaptureFilter filter;
    private final int snaplen;
    /** Wall-clock nanoseconds minus CLOCK_MONOTONIC nanoseconds (System.nanoTime on Linux). */
    private final long monotonicToEpoch;

    private boolean detached;
    private boolean closed;

    /**
     * What to capture.
     *
     * @param hook      the pinned hook map
     * @param actions   the actions whose packets to capture (one program each)
     * @param filter    which packets to keep
     * @param snaplen   bytes of each packet to keep, 1 … {@link CaptureProgram#MAX_SNAPLEN}
     * @param ringBytes the ring buffer's size (a power of two, a multiple of the page size)
     */
    public record Spec(Path hook, Set<XdpAction> actions, CaptureFilter filter, int snaplen, int ringBytes) {
        public Spec {
            Objects.requireNonNull(hook, "hook");
            Objects.requireNonNull(filter, "filter");
            if (actions.isEmpty()) {
                throw new IllegalArgumentException("no actions to capture: give at least one");
            }
            actions = Set.copyOf(actions);
            if (snaplen < 1 || snaplen > CaptureProgram.MAX_SNAPLEN) {
                throw new IllegalArgumentException(
                        "snaplen " + snaplen + " is outside 1.." + CaptureProgram.MAX_SNAPLEN);
            }
        }

        public static Spec of(Path hook, Set<XdpAction> actions, CaptureFilter filter) {
            return new Spec(hook, actions, filter, DEFAULT_SNAPLEN, DEFAULT_RING_BYTES);
        }
    }

    private CaptureSession(
            CaptureHook hook,
            BpfMap counters,
            BpfMap scratch,
            BpfMap ring,
            RingBufferReader reader,
            CaptureFilter filter,
            int snaplen) {
        this.hook = hook;
        this.counters = counters;
        this.scratch = scratch;
        this.ring = ring;
        this.reader = reader;
        this.filter = filter;
        this.snaplen = snaplen;
        this.monotonicToEpoch = epochNanos() - System.nanoTime();
    }

    /**
     * Compiles the filter, loads one program per action and puts them in the hook.
     *
     * @throws CaptureException when the hook is missing or not a hook, a slot is taken, or a
     *     program cannot be loaded; nothing is left in the hook then
     */
    public static CaptureSession start(Spec spec) {
        Compilation compiled = spec.filter().capturesAll() ? null : compile(spec.filter());
        CaptureHook hook = CaptureHook.open(spec.hook());
        List<AutoCloseable> opened = new ArrayList<>(List.of(hook));
        try {
            // Check every slot before loading anything, so a taken slot fails without a moment of capture.
            for (XdpAction action : spec.actions()) {
                hook.requireFree(action);
            }
            BpfMap counters = BpfMap.create(MapSpec.perCpuArray(
                    "xdpcap_counters", CaptureProgram.Counters.VALUE_BYTES, XdpAction.values().length));
            opened.add(counters);
            BpfMap scratch = BpfMap.create(
                    MapSpec.array("xdpcap_scratch", CaptureRecord.HEADER_BYTES + spec.snaplen(), PossibleCpus.count()));
            opened.add(scratch);
            BpfMap ring = BpfMap.create(MapSpec.ringBuffer("xdpcap_ring", spec.ringBytes()));
            opened.add(ring);
            RingBufferReader reader = RingBufferReader.open(ring);
            opened.add(reader);
            CaptureSession session =
                    new CaptureSession(hook, counters, scratch, ring, reader, spec.filter(), spec.snaplen());
            opened.clear();
            opened.add(session);
            CaptureProgram.Maps maps = new CaptureProgram.Maps(counters.fd(), scratch.fd(), ring.fd());
            for (XdpAction action : XdpAction.values()) {
                if (!spec.actions().contains(action)) {
                    continue;
                }
                byte[] code = CaptureProgram.generate(action, compiled, spec.snaplen(), maps)
                        .encode();
                Program program;
                try {
                    program =
                            Program.load(ProgramSpec.xdp(CaptureHook.PROGRAM_PREFIX + ActionNames.label(action), code));
                } catch (BpfException e) {
                    throw new CaptureException(
                            "the kernel rejected the " + ActionNames.label(action) + " capture program: "
                                    + e.getMessage(),
                            e);
                }
                session.programs.put(action, program);
                hook.install(action, program);
            }
            return session;
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Compilation compile(CaptureFilter filter) {
        try {
            return CbpfCompiler.compile(filter.program());
        } catch (RuntimeException e) {
            throw new CaptureException(
                    "cannot compile the filter '" + filter.text() + "' to eBPF: " + e.getMessage(), e);
        }
    }

    public CaptureFilter filter() {
        return filter;
    }

    public int snaplen() {
        return snaplen;
    }

    public Path hookPath() {
        return hook.path();
    }

    /** The actions being captured, in slot order. */
    public Set<XdpAction> actions() {
        return programs.keySet();
    }

    /** The loaded capture program of {@code action} (for tests and diagnostics). */
    public Program program(XdpAction action) {
        Program p = programs.get(action);
        if (p == null) {
            throw new IllegalArgumentException("this capture has no program for action " + ActionNames.label(action));
        }
        return p;
    }

    /** Converts a capture program's kernel time to nanoseconds since the Unix epoch. */
    public long epochNanos(CaptureRecord record) {
        return record.monotonicNanos() + monotonicToEpoch;
    }

    /** Receives records; may throw to end the read. */
    @FunctionalInterface
    public interface RecordSink {
        void accept(CaptureRecord record) throws Exception;
    }

    /**
     * Delivers the records waiting in the ring buffer, waiting up to {@code timeout} for the first
     * one; returns how many were delivered. An exception from {@code sink} ends the read and is
     * rethrown (records after it in the same batch are dropped).
     */
    public int poll(Duration timeout, RecordSink sink) throws Exception {
        checkOpen();
        Exception[] failure = new Exception[1];
        int n = reader.poll(timeout, segment -> {
            if (failure[0] != null) {
                return;
            }
            try {
                sink.accept(CaptureRecord.decode(segment));
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return n;
    }

    /** The counters of every captured action, summed over CPUs. */
    public List<ActionStats> stats() {
        checkOpen();
        List<ActionStats> stats = new ArrayList<>();
        int stride = (CaptureProgram.Counters.VALUE_BYTES + 7) & ~7;
        for (XdpAction action : programs.keySet()) {
            byte[] all = counters.lookup(BpfMap.intBytes(action.code())).orElseThrow();
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.nativeOrder());
            long received = 0;
            long matched = 0;
            long lost = 0;
            for (int base = 0; base + stride <= all.length; base += stride) {
                received += b.getLong(base + CaptureProgram.Counters.RECEIVED);
                matched += b.getLong(base + CaptureProgram.Counters.MATCHED);
                lost += b.getLong(base + CaptureProgram.Counters.LOST);
            }
            stats.add(new ActionStats(action, received, matched, lost));
        }
        return stats;
    }

    /**
     * Takes the capture programs out of the hook (only slots that still hold them). Safe from any
     * thread while another one reads; the data plane's verdicts are untouched either way.
     */
    public synchronized void detach() {
        if (detached) {
            return;
        }
        detached = true;
        RuntimeException failure = null;
        for (Map.Entry<XdpAction, Program> e : programs.entrySet()) {
            try {
                hook.remove(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Detaches, then closes the programs, maps and reader. Call it from the reading thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            detach();
        } finally {
            closed = true;
            programs.values().forEach(Program::close);
            reader.close();
            ring.close();
            scratch.close();
            counters.close();
            hook.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the capture on " + hook.path() + " is closed");
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

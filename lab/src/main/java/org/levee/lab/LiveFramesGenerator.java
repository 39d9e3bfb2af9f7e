package org.levee.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.LiveFrames;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.ThreadAffinity;
import org.levee.ebpf.netns.Netns;

/**
 * The {@link GeneratorKind#LIVE} flood generator: the {@link FloodProgram} for the kind's recipe,
 * run with {@code BPF_PROG_TEST_RUN} in live-frames mode on the attackers' interface from a
 * background platform thread inside the attackers' namespace. Needs a kernel that allows live
 * frames ({@link org.levee.ebpf.LiveFrames}).
 *
 * <p>Pacing: each test run sends a whole chunk of frames as fast as the kernel can, and a run
 * with repeat &gt; 1 also costs 10–40 ms of wall time here (the program is swapped into the XDP
 * dispatcher and back). So the generator sends, as often as that allows and at least every
 * {@value #SLICE_MILLIS} ms, the frames that are due at the target rate: the rate holds over a
 * tenth of a second, but the frames arrive in bursts a few tens of milliseconds apart. Rate 0
 * means as fast as possible. A generator that falls behind drops its backlog rather than
 * catching up in one burst.
 */
public final class LiveFramesGenerator implements FloodGenerator {
    /** Shortest pacing slice: a run is started once this much is due. */
    public static final int SLICE_MILLIS = 10;
    /**
     * Most frames per test run: about 0.1 s at the 1–2 Mpps seen here, so stop() returns promptly,
     * and large enough that the 10–40 ms dispatcher swap of each run costs little.
     */
    public static final int MAX_CHUNK = 1 << 17;
    /**
     * Frames the kernel sends per batch (its default; at most 256). Batches of 256 overflowed the
     * 256-frame receive rings of the lab's veths now and then: 1–2 % of a paced flood was lost on
     * the way, and now and then a legitimate packet sharing the edge's ring. With 64, none here.
     */
    public static final int BATCH_SIZE = 64;

    private final FloodPath path;
    private final FloodKind kind;
    private final FrameRecipe recipe;
    private final BpfMap sent;
    private final Program program;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long rate;
    private volatile int cpu = -1;
    private volatile boolean running;
    private Thread thread;
    private boolean closed;

    private LiveFramesGenerator(FloodPath path, FloodKind kind, FrameRecipe recipe, BpfMap sent, Program program) {
        this.path = path;
        this.kind = kind;
        this.recipe = recipe;
        this.sent = sent;
        this.program = program;
    }

    /** Builds and loads the generator program of {@code kind} for {@code path}; sends nothing yet. */
    public static LiveFramesGenerator open(FloodPath path, FloodKind kind) {
        return open(path, FloodFrames.recipe(kind, path));
    }

    /** Builds and loads the generator program of {@code recipe} for {@code path}; sends nothing yet. */
    public static LiveFramesGenerator open(FloodPath path, FrameRecipe recipe) {
        FloodKind kind = recipe.kind();
        LiveFrames.Support support = LiveFrames.support();
        if (!support.supported()) {
            throw new IllegalStateException(
                    "the live-frames generator cannot run here: " + support.describe() + " (the socket generator can)");
        }
        String name = ("flood_" + kind.id().replace('-', '_'));
        BpfMap sent = BpfMap.create(MapSpec.perCpuArray("flood_sent", 8, 1));
        try {
            Program program = Program.load(ProgramSpec.xdp(
                    name.substring(0, Math.min(15, name.length())), FloodProgram.assemble(recipe, sent.fd())));
            return new LiveFramesGenerator(path, kind, recipe, sent, program);
        } catch (RuntimeException e) {
            sent.close();
            throw e;
        }
    }

    @Override
    public GeneratorKind generator() {
        return GeneratorKind.LIVE;
    }

    @Override
    public FloodKind kind() {
        return kind;
    }

    @Override
    public void pinTo(int cpu) {
        this.cpu = cpu;
    }

    @Override
    public FrameRecipe recipe() {
        return recipe;
    }

    /** Starts sending at {@code packetsPerSecond} (0: as fast as possible) on a background thread. */
    @Override
    public synchronized void start(long packetsPerSecond) {
        if (closed) {
            throw new IllegalStateException(kind + " generator is closed");
        }
        if (thread != null) {
            throw new IllegalStateException(kind + " generator is already running (or failed and was not stopped)");
        }
        setRate(packetsPerSecond);
        failure.set(null);
        running = true;
        thread = Thread.ofPlatform().daemon().name("flood-" + kind.id()).start(this::runInNamespace);
    }

    /** Changes the target rate of a running (or the next) run; 0 means as fast as possible. */
    @Override
    public void setRate(long packetsPerSecond) {
        if (packetsPerSecond < 0) {
            throw new IllegalArgumentException(kind + " generator: rate " + packetsPerSecond + " pps is negative");
        }
        rate = packetsPerSecond;
    }

    @Override
    public long rate() {
        return rate;
    }

    /** True between start() and stop(), unless sending failed. */
    @Override
    public boolean running() {
        return running;
    }

    /** Frames the program sent (handed to the interface) since this generator was opened; exact at any moment. */
    @Override
    public long offered() {
        return Arrays.stream(sent.perCpuLongs(0)).sum();
    }

    /** Why sending stopped on its own, if it did. */
    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Stops sending and waits for the last chunk; throws if sending had failed. */
    @Override
    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        running = false;
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        thread = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException(
                    kind + " generator on " + path.interfaceName() + " in " + path.namespace() + " failed: "
                            + t.getMessage(),
                    t);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            running = false;
            if (thread != null) {
                try {
                    stop();
                } catch (IllegalStateException ignored) {
                    // closing: the failure was available through failure()
                }
            }
        } finally {
            closed = true;
            program.close();
            sent.close();
        }
    }

    private void runInNamespace() {
        try {
            Netns.run(path.namespace(), this::send);
        } catch (Throwable t) {
            failure.set(t);
            running = false;
        }
    }

    private void send() {
        if (cpu >= 0) {
            ThreadAffinity.pin(cpu);
        }
        int ifindex = NetworkInterfaces.index(path.interfaceName());
        byte[] frame = recipe.template();
        byte[] context = xdpMd(frame.length, ifindex);
        long epoch = System.nanoTime();
        long sentSinceEpoch = 0;
        long epochRate = rate;
        while (running) {
            long target = rate;
            if (target != epochRate) {
                epoch = System.nanoTime();
                sentSinceEpoch = 0;
                epochRate = target;
            }
            int chunk;
            if (target == 0) {
                chunk = MAX_CHUNK;
            } else {
                long due = (long) ((System.nanoTime() - epoch) * 1e-9 * target) - sentSinceEpoch;
                long slice = Math.max(1, target * SLICE_MILLIS / 1000);
                if (due < slice) {
                    LockSupport.parkNanos((long) ((slice - due) * 1e9 / target));
                    continue;
                }
                if (due > 4L * Math.max(slice, MAX_CHUNK)) { // far behind: forget the backlog
                    epoch = System.nanoTime();
                    sentSinceEpoch = 0;
                    due = slice;
                }
                chunk = (int) Math.min(due, MAX_CHUNK);
            }
            // A run of repeat 1 would not batch and would skip the dispatcher swap; 2 is the least that batches.
            chunk = Math.max(chunk, 2);
            program.testRun(new TestRun(frame, chunk, 0, context, TestRun.F_XDP_LIVE_FRAMES, 0, BATCH_SIZE));
            sentSinceEpoch += chunk;
        }
    }

    /** {@code struct xdp_md}: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
    private static byte[] xdpMd(int length, int ingressIfindex) {
        return ByteBuffer.allocate(24)
                .order(ByteOrder.nativeOrder())
                .putInt(0)
                .putInt(length)
                .putInt(0)
                .putInt(ingressIfindex)
                .putInt(0)
                .putInt(0)
                .array();
    }

    @Override
    public String toString() {
        return "LiveFramesGenerator[" + kind.id() + " on " + path.interfaceName() + " in " + path.namespace()
                + ", rate " + (rate == 0 ? "max" : rate + " pps") + "]";
    }
}

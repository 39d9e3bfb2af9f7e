package org.levee.lab;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.ThreadAffinity;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.xsk.Umem;
import org.levee.ebpf.xsk.XdpSocket;

/**
 * The {@link GeneratorKind#SOCKET} flood generator, for kernels that refuse XDP live frames: an
 * AF_XDP socket in copy mode on the attackers' interface sends frames from a ring of
 * {@value #DISTINCT_FRAMES} distinct frames, each drawn by {@link RandomFrames} (the same random
 * fields as the live generator's program draws per packet) and laid out in the socket's UMEM once,
 * when the generator is opened. Sending costs the kernel a socket-buffer copy per frame and no
 * work in user space but descriptors: ≈ 2.4 Mpps of 64-byte frames into a veth here, ≈ 1.7 Mpps
 * through the lab's router hop, both on one CPU.
 *
 * <p>Pacing: every time at least {@value #SLICE_MICROS} µs worth of frames is due at the target
 * rate, the due frames are queued and the kernel is asked to send them, so frames leave in small
 * bursts that much apart (the live generator's bursts are tens of milliseconds apart). A generator
 * more than {@value #MAX_BACKLOG_MILLIS} ms behind forgets the backlog.
 *
 * <p>{@link #offered()} counts completed descriptors: frames the interface took, including those
 * it dropped because its peer's queue was full.
 */
public final class SocketGenerator implements FloodGenerator {
    /** Distinct frames in the ring: a frame repeats every this many packets (33 ms at 1 Mpps). */
    public static final int DISTINCT_FRAMES = 1 << 15;
    /** Descriptors in the TX and completion rings. */
    public static final int RING_SIZE = 2048;
    /** Frames are queued once this much of them is due. */
    public static final int SLICE_MICROS = 100;

    public static final int MAX_BACKLOG_MILLIS = 100;
    /** How long stop() waits for frames already queued to complete. */
    private static final long DRAIN_NANOS = 200_000_000L;
    /** The ring's frames are drawn from this seed: runs send the same frames. */
    private static final long SEED = 0x5eed_f100dL;

    private final FloodPath path;
    private final FloodKind kind;
    private final FrameRecipe recipe;
    private final Umem umem;
    private final long[] offsets;
    private final int frameLength;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long rate;
    private volatile boolean running;
    private volatile long offered;
    private volatile int cpu = -1;
    private Thread thread;
    private boolean closed;

    private SocketGenerator(FloodPath path, FloodKind kind, FrameRecipe recipe, Umem umem, long[] offsets) {
        this.path = path;
        this.kind = kind;
        this.recipe = recipe;
        this.umem = umem;
        this.offsets = offsets;
        this.frameLength = recipe.frameLength();
    }

    /** Draws the ring of frames of {@code kind} for {@code path} into a new UMEM; sends nothing yet. */
    public static SocketGenerator open(FloodPath path, FloodKind kind) {
        return open(path, FloodFrames.recipe(kind, path));
    }

    /** Draws the ring of frames of {@code recipe} for {@code path} into a new UMEM; sends nothing yet. */
    public static SocketGenerator open(FloodPath path, FrameRecipe recipe) {
        FloodKind kind = recipe.kind();
        int length = recipe.frameLength();
        // Frames start on 64-byte boundaries and never straddle a page.
        int stride = (length + 63) / 64 * 64;
        long page = Umem.pageSize();
        if (stride > page) {
            throw new IllegalArgumentException(
                    kind + " frames of " + length + " bytes do not fit a " + page + "-byte page");
        }
        long perPage = page / stride;
        long pages = (DISTINCT_FRAMES + perPage - 1) / perPage;
        Umem umem = Umem.allocate(pages * page);
        try {
            long[] offsets = new long[DISTINCT_FRAMES];
            MemorySegment memory = umem.memory();
            SplittableRandom random = new SplittableRandom(SEED ^ kind.ordinal());
            for (int i = 0; i < DISTINCT_FRAMES; i++) {
                offsets[i] = i / perPage * page + i % perPage * stride;
                byte[] frame = RandomFrames.draw(recipe, random);
                MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, offsets[i], length);
            }
            return new SocketGenerator(path, kind, recipe, umem, offsets);
        } catch (RuntimeException e) {
            umem.close();
            throw e;
        }
    }

    @Override
    public GeneratorKind generator() {
        return GeneratorKind.SOCKET;
    }

    @Override
    public FloodKind kind() {
        return kind;
    }

    @Override
    public FrameRecipe recipe() {
        return recipe;
    }

    /** The frame at {@code index} of the ring, as it is sent (for tests). */
    byte[] frame(int index) {
        byte[] frame = new byte[frameLength];
        MemorySegment.copy(umem.memory(), ValueLayout.JAVA_BYTE, offsets[index], frame, 0, frameLength);
        return frame;
    }

    @Override
    public void pinTo(int cpu) {
        this.cpu = cpu;
    }

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

    @Override
    public boolean running() {
        return running;
    }

    @Override
    public long offered() {
        return offered;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

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
            umem.close();
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

    /** The sending loop; the socket lives as long as one run, so another generator may use the queue in between. */
    private void send() {
        if (cpu >= 0) {
            ThreadAffinity.pin(cpu);
        }
        int ifindex = NetworkInterfaces.index(path.interfaceName());
        try (XdpSocket socket = XdpSocket.openForTransmit(ifindex, 0, umem, RING_SIZE)) {
            long completed = offered; // from earlier runs
            long queued = completed;
            int next = 0;
            long epoch = System.nanoTime();
            long queuedSinceEpoch = 0;
            long epochRate = rate;
            while (running) {
                long target = rate;
                long now = System.nanoTime();
                if (target != epochRate) {
                    epoch = now;
                    queuedSinceEpoch = 0;
                    epochRate = target;
                }
                long budget = socket.transmitSpace();
                if (target != 0) {
                    long due = (long) ((now - epoch) * 1e-9 * target) - queuedSinceEpoch;
                    long slice = Math.max(1, target * SLICE_MICROS / 1_000_000);
                    if (due > target * MAX_BACKLOG_MILLIS / 1000 + slice) { // far behind: forget the backlog
                        epoch = now;
                        queuedSinceEpoch = 0;
                        due = slice;
                    }
                    if (due < slice) {
                        completed += socket.reap();
                        offered = completed;
                        LockSupport.parkNanos((long) ((slice - due) * 1e9 / target));
                        continue;
                    }
                    budget = Math.min(budget, due);
                }
                for (long i = 0; i < budget; i++) {
                    socket.put(offsets[next], frameLength);
                    next = next + 1 == offsets.length ? 0 : next + 1;
                }
                socket.submit();
                queued += budget;
                queuedSinceEpoch += budget;
                boolean drained = socket.kick();
                completed += socket.reap();
                offered = completed;
                if (!drained) {
                    LockSupport.parkNanos(20_000); // the device queue is stopped: let its consumer run
                }
            }
            // Frames already queued go out (or are dropped by the device) and complete: count them.
            long deadline = System.nanoTime() + DRAIN_NANOS;
            while (completed < queued && System.nanoTime() < deadline) {
                socket.kick();
                completed += socket.reap();
                if (completed < queued) {
                    LockSupport.parkNanos(50_000);
                }
            }
            offered = completed;
        }
    }

    @Override
    public String toString() {
        return "SocketGenerator[" + kind.id() + " on " + path.interfaceName() + " in " + path.namespace() + ", rate "
                + (rate == 0 ? "max" : rate + " pps") + "]";
    }
}

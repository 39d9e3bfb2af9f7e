package org.levee.ebpf;

import java.util.Arrays;

/**
 * Input of {@code BPF_PROG_TEST_RUN}: the packet, how many times to run it, how much room for the
 * output packet, an optional context (for XDP a {@code struct xdp_md}), flags (e.g.
 * {@link #F_XDP_LIVE_FRAMES}), CPU and batch size (live frames).
 *
 * <p>repeat &gt; 1 costs 10–25 ms of wall time per call on this kernel (the program is swapped
 * into the XDP dispatcher); use repeat = 1 for verdicts and a large repeat only for timing.
 */
public record TestRun(byte[] data, int repeat, int dataOutCapacity, byte[] context, int flags, int cpu, int batchSize) {
    /** {@code BPF_F_TEST_RUN_ON_CPU}: run on {@link #cpu()}. */
    public static final int F_RUN_ON_CPU = 1;
    /** {@code BPF_F_TEST_XDP_LIVE_FRAMES}: XDP_TX/REDIRECT really send the frames (kernel ≥ 5.18). */
    public static final int F_XDP_LIVE_FRAMES = 2;

    public TestRun {
        if (data == null) {
            throw new IllegalArgumentException("test run data is null");
        }
        if (repeat < 0) {
            throw new IllegalArgumentException("test run repeat must be ≥ 0, got " + repeat);
        }
        if (dataOutCapacity < 0) {
            throw new IllegalArgumentException("test run data-out capacity must be ≥ 0, got " + dataOutCapacity);
        }
        data = data.clone();
        context = context == null ? null : context.clone();
    }

    /** Runs {@code data} once, with room for 256 more bytes of output than input. */
    public static TestRun of(byte[] data) {
        return new TestRun(data, 1, data.length + 256, null, 0, 0, 0);
    }

    public TestRun withRepeat(int times) {
        return new TestRun(data, times, dataOutCapacity, context, flags, cpu, batchSize);
    }

    public TestRun withFlags(int newFlags) {
        return new TestRun(data, repeat, dataOutCapacity, context, newFlags, cpu, batchSize);
    }

    public TestRun withBatchSize(int size) {
        return new TestRun(data, repeat, dataOutCapacity, context, flags, cpu, size);
    }

    public TestRun withContext(byte[] ctx) {
        return new TestRun(data, repeat, dataOutCapacity, ctx, flags, cpu, batchSize);
    }

    public TestRun withDataOutCapacity(int capacity) {
        return new TestRun(data, repeat, capacity, context, flags, cpu, batchSize);
    }

    /** The packet (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The context, or null (a copy). */
    @Override
    public byte[] context() {
        return context == null ? null : context.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestRun r
                && Arrays.equals(r.data, data)
                && r.repeat == repeat
                && r.dataOutCapacity == dataOutCapacity
                && Arrays.equals(r.context, context)
                && r.flags == flags
                && r.cpu == cpu
                && r.batchSize == batchSize;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                Arrays.hashCode(data), repeat, dataOutCapacity, Arrays.hashCode(context), flags, cpu, batchSize);
    }

    @Override
    public String toString() {
        return "TestRun[" + data.length + " bytes, repeat " + repeat + ", out capacity " + dataOutCapacity
                + (context == null ? "" : ", context " + context.length + " bytes") + ", flags " + flags
                + ", cpu " + cpu + ", batch " + batchSize + "]";
    }
}

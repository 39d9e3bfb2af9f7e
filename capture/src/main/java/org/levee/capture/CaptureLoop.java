package org.levee.capture;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a {@link CaptureSession} into a {@link PacketOutput} until told to stop or a packet
 * count is reached, reporting the counters at a fixed interval. The loop checks the stop
 * condition at least every {@link #POLL}, so a signal ends it within that time; what the ring
 * buffer holds at that moment is still written.
 */
public final class CaptureLoop {
    private CaptureLoop() {}

    /** Longest wait for packets before the stop condition is checked again. */
    public static final Duration POLL = Duration.ofMillis(100);

    /** Why a loop ended. */
    public enum End {
        STOPPED,
        COUNT_REACHED
    }

    /**
     * Runs the loop.
     *
     * @param maxPackets  stop after this many packets (0: no limit)
     * @param stop        polled between batches: true ends the loop
     * @param statsEvery  how often to call {@code stats}; null for never
     * @throws IOException when the output fails (e.g. the reader of a pipe went away)
     */
    public static End run(
            CaptureSession session,
            PacketOutput output,
            long maxPackets,
            BooleanSupplier stop,
            Duration statsEvery,
            Consumer<List<ActionStats>> stats)
            throws Exception {
        if (maxPackets < 0) {
            throw new IllegalArgumentException("packet count must be 0 (no limit) or positive, got " + maxPackets);
        }
        long[] written = {0};
        CaptureSession.RecordSink sink = record -> {
            if (maxPackets == 0 || written[0] < maxPackets) {
                output.packet(record, session.epochNanos(record));
                written[0]++;
            }
        };
        long nextStats = statsEvery == null ? Long.MAX_VALUE : System.nanoTime() + statsEvery.toNanos();
        while (!stop.getAsBoolean()) {
            session.poll(POLL, sink);
            output.flush();
            if (System.nanoTime() - nextStats >= 0) {
                stats.accept(session.stats());
                nextStats += statsEvery.toNanos();
            }
            if (maxPackets != 0 && written[0] >= maxPackets) {
                return End.COUNT_REACHED;
            }
        }
        // Packets captured before the stop are already in the ring buffer: keep them.
        session.poll(Duration.ZERO, sink);
        output.flush();
        return End.STOPPED;
    }

    /** "drop: 100 received, 100 matched, 0 lost; pass: …". */
    public static String format(List<ActionStats> stats) {
        StringBuilder s = new StringBuilder();
        for (ActionStats a : stats) {
            if (!s.isEmpty()) {
                s.append("; ");
            }
            s.append(ActionNames.label(a.action()))
                    .append(": ")
                    .append(a.received())
                    .append(" received, ")
                    .append(a.matched())
                    .append(" matched, ")
                    .append(a.lost())
                    .append(" lost");
        }
        return s.toString();
    }
}

package org.levee.lab;

import java.util.Optional;

/**
 * Sends one kind of flood along a {@link FloodPath} at a target rate, from a background platform
 * thread inside the attackers' namespace. Two ways exist ({@link GeneratorKind}): XDP live frames
 * where the kernel allows them, an AF_XDP socket everywhere else; both send the same frames
 * ({@link FloodFrames}) with the same per-packet randomisation.
 *
 * <p>Rate 0 means as fast as possible. A generator that falls behind drops its backlog rather
 * than catching up in one burst. {@link #offered()} counts frames handed to the attackers'
 * interface, including those it then drops: what the attack offered.
 */
public sealed interface FloodGenerator extends AutoCloseable permits LiveFramesGenerator, SocketGenerator {

    /** Prepares a generator of {@code generator}'s kind for {@code kind} along {@code path}; sends nothing yet. */
    static FloodGenerator open(GeneratorKind generator, FloodPath path, FloodKind kind) {
        return switch (generator) {
            case LIVE -> LiveFramesGenerator.open(path, kind);
            case SOCKET -> SocketGenerator.open(path, kind);
        };
    }

    /**
     * A generator of {@code generator}'s kind for frames of any {@code recipe} (benchmarks use
     * their own: a fixed destination port, say); sends nothing yet.
     */
    static FloodGenerator open(GeneratorKind generator, FloodPath path, FrameRecipe recipe) {
        return switch (generator) {
            case LIVE -> LiveFramesGenerator.open(path, recipe);
            case SOCKET -> SocketGenerator.open(path, recipe);
        };
    }

    /** {@link #open(GeneratorKind, FloodPath, FloodKind)} with the kind this kernel allows ({@link GeneratorKind#preferred()}). */
    static FloodGenerator open(FloodPath path, FloodKind kind) {
        return open(GeneratorKind.preferred(), path, kind);
    }

    /** How this generator sends. */
    GeneratorKind generator();

    FloodKind kind();

    FrameRecipe recipe();

    /**
     * Runs the sending thread on {@code cpu} from the next {@link #start} on (−1: wherever the
     * scheduler puts it, the default).
     */
    void pinTo(int cpu);

    /** Starts sending at {@code packetsPerSecond} (0: as fast as possible) on a background thread. */
    void start(long packetsPerSecond);

    /** Changes the target rate of a running (or the next) run; 0 means as fast as possible. */
    void setRate(long packetsPerSecond);

    long rate();

    /** True between start() and stop(), unless sending failed. */
    boolean running();

    /** Frames handed to the attackers' interface since this generator was opened. */
    long offered();

    /** Why sending stopped on its own, if it did. */
    Optional<Throwable> failure();

    /** Stops sending and waits for the frames under way; throws if sending had failed. */
    void stop();

    /** Stops sending (a failure stays available through {@link #failure()}) and frees what the generator holds. */
    @Override
    void close();
}

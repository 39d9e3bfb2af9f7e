package org.levee.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A lab run without Levee: legitimate traffic throughout and the floods one after another,
 * each for {@code floodSeconds} with a quiet second before it, at {@code floodRate} (0: as fast
 * as possible), with an {@link EdgeCounter} on the edge that passes or drops them. Reports a
 * {@link LabSecond} every second. A second's legitimate counts are taken 200 ms after it ends so
 * the requests sent at its end have had time to arrive.
 */
public final class LabRun {
    private static final long SETTLE_NANOS = 200_000_000L;

    private final DemoLab lab;
    private final LegitTraffic legit;
    private final EdgeCounter edge;
    private final GeneratorKind generatorKind;
    private final List<FloodKind> kinds;
    private final long floodRate;
    private final int floodSeconds;

    public LabRun(
            DemoLab lab,
            LegitTraffic legit,
            EdgeCounter edge,
            GeneratorKind generatorKind,
            List<FloodKind> kinds,
            long floodRate,
            int floodSeconds) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a lab run needs at least one flood kind");
        }
        if (floodSeconds < 1) {
            throw new IllegalArgumentException("flood seconds must be ≥ 1, got " + floodSeconds);
        }
        if (floodRate < 0) {
            throw new IllegalArgumentException("flood rate must be ≥ 0 pps, got " + floodRate);
        }
        this.lab = lab;
        this.legit = legit;
        this.edge = edge;
        this.generatorKind = generatorKind;
        this.kinds = List.copyOf(kinds);
        this.floodRate = floodRate;
        this.floodSeconds = floodSeconds;
    }

    /** Runs for {@code seconds}, handing each second's figures to {@code report}; returns them all. */
    public List<LabSecond> run(int seconds, Consumer<LabSecond> report) throws Exception {
        List<LabSecond> all = new ArrayList<>();
        FloodPath path = lab.floodPath();
        long start = System.nanoTime();
        long offeredByEarlier = 0; // by generators already closed
        long lastOffered = 0;
        long lastAtEdge = edge.attackFrames();
        FloodGenerator generator = null;
        int cycle = floodSeconds + 1;
        try {
            for (int second = 0; second < seconds; second++) {
                int phase = second % (cycle * kinds.size());
                FloodKind kind = phase % cycle == 0 ? null : kinds.get(phase / cycle);
                if (generator != null && generator.kind() != kind) {
                    generator.stop(); // waits for the run in progress, whose frames count too
                    offeredByEarlier += generator.offered();
                    generator.close();
                    generator = null;
                }
                if (kind != null && generator == null) {
                    generator = FloodGenerator.open(generatorKind, path, kind);
                    generator.start(floodRate);
                }
                sleepUntil(start + (second + 1) * 1_000_000_000L + SETTLE_NANOS);
                long offered = offeredByEarlier + (generator == null ? 0 : generator.offered());
                long atEdge = edge.attackFrames();
                long secondStart = start + second * 1_000_000_000L;
                LabSecond figures = new LabSecond(
                        second + 1,
                        kind,
                        legit.window(secondStart, secondStart + 1_000_000_000L),
                        offered - lastOffered,
                        atEdge - lastAtEdge,
                        edge.dropping() ? atEdge - lastAtEdge : 0);
                lastOffered = offered;
                lastAtEdge = atEdge;
                all.add(figures);
                report.accept(figures);
            }
        } finally {
            if (generator != null) {
                generator.close();
            }
        }
        return all;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}

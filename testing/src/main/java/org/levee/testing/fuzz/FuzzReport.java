package org.levee.testing.fuzz;

import java.time.Duration;
import java.util.List;

/**
 * What one run of one family found.
 *
 * @param family       the family's name
 * @param seed         the run's seed
 * @param inputs       inputs run (the seeds first, then mutants)
 * @param accepted     inputs the target accepted
 * @param rejected     inputs refused with a documented error whose message kept its promise
 * @param crashes      the distinct crashes, each with its count and minimized input (the summary's "crashes")
 * @param crashInputs  inputs that crashed, all kinds together
 * @param slowest      the slowest input that was not a crash
 * @param slowOnce     inputs over the time limit once but not when run again (a loaded machine)
 * @param heap         the retained-heap checks
 * @param elapsed      wall time of the run
 */
public record FuzzReport(
        String family,
        long seed,
        long inputs,
        long accepted,
        long rejected,
        List<Crash> crashes,
        long crashInputs,
        Slowest slowest,
        long slowOnce,
        HeapTrend heap,
        Duration elapsed) {

    /**
     * The slowest input of a run.
     *
     * @param index its number in the run
     * @param nanos its time (the lesser of two runs when it was run twice)
     * @param input its description, cut short
     */
    public record Slowest(long index, long nanos, String input) {
        public static final Slowest NONE = new Slowest(-1, 0, "");
    }

    public FuzzReport {
        crashes = List.copyOf(crashes);
    }

    /** One line: inputs, rejected, accepted, crashes, slowest input, heap trend, time. */
    public String summary() {
        return String.format(
                "fuzz '%s' (seed %d): %d inputs, %d rejected, %d accepted, %d crashes%s; slowest %.2f ms (input %d)%s; "
                        + "%s; %.1f s",
                family,
                seed,
                inputs,
                rejected,
                accepted,
                crashes.size(),
                crashInputs > 0 ? " (" + crashInputs + " inputs)" : "",
                slowest.nanos() / 1e6,
                slowest.index(),
                slowOnce > 0 ? ", " + slowOnce + " slow once but not again" : "",
                heap.describe(),
                elapsed.toNanos() / 1e9);
    }

    /** Throws an {@link AssertionError} describing every crash, if there is any. */
    public void assertNoCrashes() {
        if (crashes.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder(summary());
        for (Crash crash : crashes) {
            text.append("\n  ").append(crash.describe().replace("\n", "\n  "));
        }
        throw new AssertionError(text.toString());
    }
}

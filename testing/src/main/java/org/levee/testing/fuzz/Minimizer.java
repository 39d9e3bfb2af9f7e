package org.levee.testing.fuzz;

import java.util.function.Predicate;

/**
 * Shrinks a failing input while it still fails the same way: ranges of halving size are cut out
 * (delta debugging's simplest form), within a budget of runs and of time (so the result may
 * depend on the machine's speed when the time runs out first).
 */
final class Minimizer {
    private Minimizer() {}

    static <I> I minimize(InputKind<I> kind, I input, Predicate<I> stillFails, int maxRuns, long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        I best = input;
        int runs = 0;
        for (int chunk = Math.max(1, kind.size(best) / 2); chunk >= 1 && runs < maxRuns; chunk /= 2) {
            int start = 0;
            while (start < kind.size(best) && runs < maxRuns && System.nanoTime() < deadline) {
                int end = Math.min(kind.size(best), start + chunk);
                I candidate = kind.remove(best, start, end);
                runs++;
                if (stillFails.test(candidate)) {
                    best = candidate; // the same start now holds the next range
                } else {
                    start = end;
                }
            }
        }
        return best;
    }
}

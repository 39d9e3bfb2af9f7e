package org.levee.testing.fuzz;

import java.util.List;

/**
 * Retained heap (used heap right after full collections) sampled at intervals during a run, and
 * the verdict on it. The heap grows with the number of inputs when it rose at each of the last
 * {@value #STEPS} checks by more than {@value #STEP_FLOOR_BYTES} bytes in all, or by more than
 * {@value #HARD_LIMIT_BYTES} bytes since the first check: full collections leave only live objects,
 * so a parser that keeps something per input shows as a steady climb, while caches that fill once
 * and the noise of class loading do not.
 *
 * @param samples the checks, in order; the first is taken after one interval, once classes are loaded
 *                and caches warm
 */
public record HeapTrend(List<Sample> samples) {
    /** Consecutive rises that make a trend. */
    public static final int STEPS = 4;
    /** The least growth over those rises that counts (below it: noise). */
    public static final long STEP_FLOOR_BYTES = 512 * 1024;
    /** Growth since the first check that fails the run whatever its shape. */
    public static final long HARD_LIMIT_BYTES = 64L * 1024 * 1024;

    /**
     * One check.
     *
     * @param inputs        inputs run when it was taken
     * @param retainedBytes used heap after full collections
     */
    public record Sample(long inputs, long retainedBytes) {}

    public HeapTrend {
        samples = List.copyOf(samples);
    }

    /** True when the samples show growth with the number of inputs (see the class comment). */
    public boolean grows() {
        int n = samples.size();
        if (n >= 2 && samples.getLast().retainedBytes() - samples.getFirst().retainedBytes() > HARD_LIMIT_BYTES) {
            return true;
        }
        if (n < STEPS + 1) {
            return false;
        }
        for (int i = n - STEPS; i < n; i++) {
            if (samples.get(i).retainedBytes() <= samples.get(i - 1).retainedBytes()) {
                return false;
            }
        }
        return samples.getLast().retainedBytes() - samples.get(n - 1 - STEPS).retainedBytes() > STEP_FLOOR_BYTES;
    }

    /** Least-squares slope of retained bytes against inputs, per 1000 inputs (0 with fewer than 2 samples). */
    public double bytesPerThousandInputs() {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double meanX = samples.stream().mapToDouble(Sample::inputs).average().orElse(0);
        double meanY =
                samples.stream().mapToDouble(Sample::retainedBytes).average().orElse(0);
        double covariance = 0;
        double variance = 0;
        for (Sample s : samples) {
            covariance += (s.inputs() - meanX) * (s.retainedBytes() - meanY);
            variance += (s.inputs() - meanX) * (s.inputs() - meanX);
        }
        return variance == 0 ? 0 : 1000 * covariance / variance;
    }

    /** E.g. "heap 12.1 → 12.1 MiB retained over 10 checks (+3 B per 1000 inputs)". */
    public String describe() {
        if (samples.isEmpty()) {
            return "heap not checked";
        }
        return String.format(
                "heap %.1f → %.1f MiB retained over %d checks (%+.0f B per 1000 inputs)",
                mebibytes(samples.getFirst()), mebibytes(samples.getLast()), samples.size(), bytesPerThousandInputs());
    }

    /** Every sample, for a crash report. */
    public String detail() {
        StringBuilder text = new StringBuilder();
        for (Sample s : samples) {
            text.append(text.isEmpty() ? "" : ", ")
                    .append(s.inputs())
                    .append(": ")
                    .append(s.retainedBytes())
                    .append(" B");
        }
        return text.toString();
    }

    private static double mebibytes(Sample s) {
        return s.retainedBytes() / (1024.0 * 1024.0);
    }
}

package org.levee.detector.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.rules.Sample;

/**
 * Traffic flows over simulated time, turned into the sample stream a data plane sampling 1 in N
 * would produce: each flow's packets arrive as a Poisson process, so each 10 ms slice holds a
 * Poisson number of samples with mean rate × 10 ms / N. Only the sampled packets are built.
 */
public final class Scenario {

    /** A sample with the flow it came from, so tests know the truth. */
    public record LabeledSample(Sample sample, Flow flow) {}

    private static final double SLICE = 0.01;

    private final List<Flow> flows;

    public Scenario(List<Flow> flows) {
        this.flows = List.copyOf(flows);
    }

    public List<Flow> flows() {
        return flows;
    }

    /**
     * The samples, in time order.
     *
     * @param samplingRate N
     * @param snapLength bytes of each packet a sample keeps
     * @param seed the random seed: the same seed gives the same samples
     */
    public List<LabeledSample> samples(int samplingRate, int snapLength, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LabeledSample> out = new ArrayList<>();
        for (Flow flow : flows) {
            SplittableRandom r = random.split();
            for (double t = flow.startSeconds(); t < flow.endSeconds(); t += SLICE) {
                double slice = Math.min(SLICE, flow.endSeconds() - t);
                double mean = flow.packetsPerSecond().applyAsDouble(t) * slice / samplingRate;
                int count = poisson(mean, r);
                for (int i = 0; i < count; i++) {
                    long ts = (long) ((t + r.nextDouble() * slice) * 1e9);
                    byte[] frame = flow.packets().next(r);
                    String dc =
                            flow.datacenters().get(r.nextInt(flow.datacenters().size()));
                    out.add(new LabeledSample(
                            new Sample(
                                    Arrays.copyOf(frame, Math.min(frame.length, snapLength)),
                                    frame.length,
                                    samplingRate,
                                    ts,
                                    dc,
                                    dc + "-edge1"),
                            flow));
                }
            }
        }
        out.sort(Comparator.comparingLong(s -> s.sample().timestampNanos()));
        return out;
    }

    private static int poisson(double mean, SplittableRandom r) {
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * r.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = r.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= r.nextDouble();
            k++;
        }
        return k;
    }
}

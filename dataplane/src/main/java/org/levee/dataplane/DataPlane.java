package org.levee.dataplane;

import java.time.Duration;
import java.util.function.Consumer;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.Sample;

/**
 * The XDP data plane on one interface, as a node uses it: apply a rule set, read counters, set
 * and read the sample rate, poll samples. The caller owns policy (which rules, when, how many
 * samples); the data plane owns the program, its maps and its pins. {@link XdpDataPlane} is the
 * real one; tests of the agent's own logic use one without a kernel. Implementations are
 * thread-safe: the API and the detector change rules while the sampler thread polls samples.
 */
public interface DataPlane extends AutoCloseable {

    /** Where the program is attached and which program runs now. */
    AttachedProgram attachment();

    /**
     * Compiles {@code rules} once, specialises the object for {@code datacenter} and swaps it in
     * atomically. Either the new program runs afterwards or the old one still does.
     *
     * @throws IllegalArgumentException (or the data plane's rule-set exception) naming the rule
     *     and field that cannot be compiled or loaded
     */
    void apply(RuleSet rules, String datacenter);

    /**
     * The filters {@link #apply} compiles rules with: a rule compiled through them beforehand (to
     * check it) is not compiled again when applied.
     */
    RuleFilters filters();

    /** Global and per-rule counters, summed over CPUs. */
    Counters counters();

    /**
     * The global counters only (no per-rule ones), summed over CPUs: one map read, cheap enough
     * for every round of a sample reader.
     */
    default Counters totals() {
        Counters c = counters();
        return new Counters(
                c.seen(), c.passed(), c.dropped(), c.ratelimited(), c.sampled(), c.samplesLost(), java.util.Map.of());
    }

    /** N of "1 in N". */
    int sampleRate();

    /**
     * Runs the path of a first rule set once in the background, so that the first attack does not
     * pay for a cold start ({@link WarmUp}); does nothing where there is nothing to warm.
     */
    default void warmUp() {}

    /** Changes N at run time, without swapping the program. */
    void setSampleRate(int rate);

    /**
     * Waits at most {@code timeout} for samples and hands each one to {@code handler} on the
     * calling thread, decoded once and tagged with {@code datacenter} and {@code node}; the handler
     * owns it.
     *
     * @return the number of samples handed over
     */
    int pollSamples(Duration timeout, String datacenter, String node, Consumer<Sample> handler);

    /**
     * Releases this process's handles. With {@code detach} the program is detached and its pins
     * removed; without, it stays attached and pinned for the next agent to adopt.
     */
    void close(boolean detach);

    /** Same as {@code close(false)}: protection outlives the agent. */
    @Override
    default void close() {
        close(false);
    }
}

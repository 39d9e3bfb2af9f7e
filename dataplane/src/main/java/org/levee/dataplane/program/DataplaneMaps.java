package org.levee.dataplane.program;

import java.util.List;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.MapType;
import org.levee.ebpf.XdpAction;

/**
 * The maps of the data-plane program. All but {@link #CHAIN} are pinned and reused when the
 * program is replaced, so counters, rate-limit state, the sample stream, the exit hook and the
 * local rules stage carry over from one rule-set version to the next.
 */
public final class DataplaneMaps {
    private DataplaneMaps() {}

    /**
     * Per-CPU array, one entry: the {@link Counter}s, then the sampler's countdown (a u64 at
     * {@link #COUNTERS_SAMPLE_COUNTDOWN}: packets left before this CPU's next sample). The
     * countdown lives here because the program holds this CPU's slot in a register already.
     */
    public static final MapSpec COUNTERS = MapSpec.perCpuArray("levee_counters", Counter.valueSize() + 8, 1);

    /** Offset of the sampler's countdown in {@link #COUNTERS}'s value, after the counters. */
    public static final int COUNTERS_SAMPLE_COUNTDOWN = Counter.valueSize();
    /**
     * Per-CPU array of {packets u64, bytes u64}, one slot per rule of either stage: a rule's hit
     * code indexes it with the constant {@link DataplaneProgram#counterSymbol}, which the loader
     * sets from {@link #RULE_SLOTS}. 16 bytes × {@value ProgramLimits#MAX_RULES} slots = 1 MiB per
     * possible CPU.
     */
    public static final MapSpec RULE_STATS = MapSpec.perCpuArray("levee_rules", 16, ProgramLimits.MAX_RULES);
    /**
     * Hash from {@link RuleKey} to the rule's slot (u32) in {@link #RULE_STATS}. Only the loader
     * reads it (the programs do not refer to it, so it is not in the object's maps): it keeps a
     * rule's slot, and its counts, from one program to the next.
     */
    public static final MapSpec RULE_SLOTS =
            new MapSpec(MapType.HASH, "levee_ruleslot", 8, 4, ProgramLimits.MAX_RULES, MapSpec.F_NO_PREALLOC);
    /** Hash from {@link RuleKey} to the GCRA theoretical arrival time (ns), shared by all CPUs. */
    public static final MapSpec RATE_LIMITS =
            new MapSpec(MapType.HASH, "levee_ratelimit", 8, 8, ProgramLimits.MAX_RULES, MapSpec.F_NO_PREALLOC);
    /** Array, one entry: {sample rate N u32, reserved u32}; N = 0 turns sampling off. */
    public static final MapSpec CONFIG = MapSpec.array("levee_config", 8, 1);
    /** The ring buffer of samples. */
    public static final MapSpec SAMPLES = MapSpec.ringBuffer("levee_samples", 1 << 20);
    /** xdpcap's hook: one slot per XDP action, tail-called with the final action. */
    public static final MapSpec HOOK = MapSpec.programArray("xdpcap_hook", XdpAction.values().length);
    /** The programs after the first when a rule set is split into a tail-call chain. */
    public static final MapSpec CHAIN = MapSpec.programArray("levee_chain", ProgramLimits.MAX_CHAIN);
    /**
     * The second rules stage: one slot, tail-called by the main rule set when none of its rules
     * matched. An edge of the fleet loads its local rules there, so that the fleet's object stays
     * the same on every edge of a data center; empty (the default, and on a single node), the
     * tail call falls through to the exit.
     */
    public static final MapSpec LOCAL = MapSpec.programArray("levee_local", 1);

    /** Every map, in the order of the object's {@code maps} section. */
    public static final List<MapSpec> ALL =
            List.of(COUNTERS, RULE_STATS, RATE_LIMITS, CONFIG, SAMPLES, HOOK, CHAIN, LOCAL);

    /** Offset of the sample rate in {@link #CONFIG}'s value. */
    public static final int CONFIG_SAMPLE_RATE = 0;
}

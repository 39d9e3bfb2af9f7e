package org.levee.dataplane.program;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.levee.compiler.FilterChain;
import org.levee.rules.Action;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilter;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;

/**
 * Writes the data-plane program, {@code sampler → rules → exit}, as eBPF.
 *
 * <p>Registers: r6 the XDP context, r7 this CPU's {@link Counter} slots, r9 the packet length
 * while rules run (a number, which the rule guards compare), r8 a scratch register (the rule key,
 * the map-read enablement, the sample rate, the action at the exit). Filter fragments use r0–r5 and the top of the stack (see {@link FilterEmitter}); the
 * rule key and map keys live right below.
 *
 * <p>The rules are a {@link FilterChain} (module compiler): each rule is compiled once for
 * every state the rules before it can leave — what they tested and loaded — so that a copy leaves
 * out the tests already decided and the loads already made; rules for one destination then cost a
 * compare each. Every copy starts with a guard decided by {@code rule_<id>_enabled} (see
 * {@link org.levee.ebpf.asm.Relocation.Kind#GUARD}): patched to 0 it is {@code if r9 >= 0 goto
 * <the same state's copy of the next rule>}, a jump the verifier knows is always taken, so it
 * deletes the rule's code and then the jump; patched to 1 it is a jump the verifier knows is
 * never taken, or a {@code goto +0}, deleted too. Either way the guard costs nothing: a program
 * with every rule disabled translates to exactly the program of an empty rule set, and enabled
 * rules cost only their own code. A matching rule jumps to its hit block after the rules, which
 * counts it and applies its action. When a program's rules reach
 * {@link ProgramLimits#MAX_RULE_SLOTS_PER_PROGRAM}, the rest go to the next program of a
 * tail-call chain, which starts again knowing nothing; its tail call is guarded by
 * {@link DataplaneProgram#chainSymbol}; the sampler and the {@code seen} count run only in the
 * first.
 */
public final class ProgramBuilder {
    /** Stack slots below the filters' scratch memory: a 4-byte map key and the 8-byte rule key. */
    private static final int KEY = FilterEmitter.SCRATCH - 4;
    private static final int RULE_KEY = FilterEmitter.SCRATCH - 16;
    private static final int SAMPLE_HEADER = SampleLayout.SIZE;
    // struct xdp_md
    private static final int CTX_DATA = 0;
    private static final int CTX_DATA_END = 4;
    private static final int CTX_INGRESS_IFINDEX = 12;
    private static final int CTX_RX_QUEUE = 16;
    /** Prefix of the rule chain's labels; {@code c_f<i>} is rule i's plain copy. */
    private static final String CHAIN_LABELS = "c_";
    private static final Pattern PLAIN_COPY = Pattern.compile("c_f[0-9]+");
    /** Compare-and-swap attempts of the rate limiter before a packet counts as over the limit. */
    static final int RATE_LIMIT_ATTEMPTS = 4;

    private final int sampleBytes;
    private final int maxRuleSlots;
    private final boolean enablementFromMap;
    /** Exit blocks some rule of the current program jumps to: the verifier refuses unreachable code. */
    private final Set<String> usedExits = new HashSet<>();

    /**
     * @param sampleBytes  packet bytes copied into each sample (1..{@value ProgramLimits#MAX_SAMPLE_BYTES})
     * @param maxRuleSlots slots of rule code after which a program ends and the chain continues
     */
    public ProgramBuilder(int sampleBytes, int maxRuleSlots) {
        this(sampleBytes, maxRuleSlots, false);
    }

    /**
     * A builder whose rules, when {@code enablementFromMap}, read whether they are enabled from
     * byte {@code i} of {@link #ENABLED_MAP}'s value at run time instead of a patched constant:
     * the design the constants replace, kept to measure what they save.
     */
    public ProgramBuilder(int sampleBytes, int maxRuleSlots, boolean enablementFromMap) {
        if (sampleBytes < 1 || sampleBytes > ProgramLimits.MAX_SAMPLE_BYTES) {
            throw new IllegalArgumentException("sample bytes " + sampleBytes + " is outside 1.." + ProgramLimits.MAX_SAMPLE_BYTES);
        }
        if (maxRuleSlots < 1 || maxRuleSlots > ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM) {
            throw new IllegalArgumentException("rule slots per program " + maxRuleSlots + " is outside 1.."
                    + ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM);
        }
        this.sampleBytes = sampleBytes;
        this.maxRuleSlots = maxRuleSlots;
        this.enablementFromMap = enablementFromMap;
    }

    /** The array (one entry, one byte per rule) of a builder with enablement from a map. */
    public static final String ENABLED_MAP = "levee_enabled";
    private static final int ENABLED_POINTER = FilterEmitter.SCRATCH - 24;

    public ProgramBuilder() {
        this(ProgramLimits.DEFAULT_SAMPLE_BYTES, ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM);
    }

    /**
     * The program for {@code rules}, in order.
     *
     * @throws IllegalArgumentException when the chain would need more than {@link ProgramLimits#MAX_CHAIN} programs
     */
    public DataplaneProgram build(List<RuleFilter> rules) {
        if (enablementFromMap && rules.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("enablement from a map reaches at most " + Short.MAX_VALUE + " rules (16-bit load offset)");
        }
        FilterChain filters = FilterEmitter.chain(rules);
        List<AssembledProgram> chain = new ArrayList<>();
        int next = 0;
        do {
            int index = chain.size();
            if (index >= ProgramLimits.MAX_CHAIN) {
                throw new IllegalArgumentException("the rule set needs more than " + ProgramLimits.MAX_CHAIN
                        + " chained programs (" + next + " of " + rules.size() + " rules placed)");
            }
            Assembler asm = new Assembler();
            usedExits.clear();
            prologue(asm, index == 0);
            FilterChain.Segment segment = filters.segment(next, FilterEmitter.layout(CHAIN_LABELS),
                    (block, i, skip) -> guard(block, rules.get(i).rule(), i, skip), ProgramBuilder::hitLabel, "rules_end");
            int first = next;
            int hitSlots = 0;
            // every jump must reach the exit blocks after the rules: add a rule only when even its
            // largest code still fits (the first always goes in)
            while (segment.nextFilter() < rules.size()) {
                int rule = segment.nextFilter();
                int ruleHit = hitSlots(rules.get(rule).rule(), rule);
                if (segment.filters() > 0 && segment.slots() + hitSlots + ruleHit + filters.slotsAtMost(rule) > maxRuleSlots) {
                    break;
                }
                hitSlots += ruleHit;
                segment.add();
            }
            next = segment.nextFilter();
            segment.emitTo(asm);
            asm.label("rules_end");
            if (next < rules.size()) {
                // the rest of the rules are in the next program; if it is missing, nothing matched.
                // The loader disables the tail call when no later program is loaded (all their rules
                // disabled), so an all-disabled set costs exactly what an empty one does.
                asm.enableGuard(R9, DataplaneProgram.chainSymbol(index + 1), "chain_end");
                asm.emit(mov64(R1, R6));
                asm.ldMap(R2, DataplaneMaps.CHAIN.name());
                asm.emit(mov32(R3, index + 1), call(Helper.TAIL_CALL));
                asm.label("chain_end");
            }
            boolean hits = false;
            for (int i = first; i < next; i++) {
                if (segment.reachesMatch(i)) {
                    if (!hits) {
                        asm.ja("exit_pass");
                        hits = true;
                    }
                    hit(asm, rules.get(i).rule(), i);
                }
            }
            epilogue(asm);
            // the rule chain's internal labels (a copy of a rule per state, every exit) would make
            // most of the object's symbol table; each rule keeps the label of its plain copy
            chain.add(asm.assemble().keepingLabels(name -> !name.startsWith(CHAIN_LABELS) || PLAIN_COPY.matcher(name).matches()));
        } while (next < rules.size());
        return new DataplaneProgram(chain, sampleBytes);
    }

    /** The guard of rule {@code index} in each of its copies: a patched constant, or a byte of {@link #ENABLED_MAP}. */
    private void guard(Assembler block, Rule rule, int index, String skip) {
        if (enablementFromMap) {
            block.emit(ldxDW(R8, R10, ENABLED_POINTER), ldxB(R8, R8, index));
            block.jeqImm(R8, 0, skip);
        } else {
            block.enableGuard(R9, rule.enabledSymbol(), skip); // r9, the packet length, is a number here
        }
    }

    private void prologue(Assembler asm, boolean entry) {
        asm.emit(mov64(R6, R1), mov64(R1, 0), stxW(R10, KEY, R1));
        asm.ldMap(R1, DataplaneMaps.COUNTERS.name());
        asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, "no_counters");
        asm.emit(mov64(R7, R0));
        if (enablementFromMap) {
            asm.emit(mov64(R1, 0), stxW(R10, KEY, R1));
            asm.ldMap(R1, ENABLED_MAP);
            asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
            asm.jeqImm(R0, 0, "no_counters");
            asm.emit(stxDW(R10, ENABLED_POINTER, R0));
        }
        if (entry) {
            increment(asm, Counter.SEEN);
            sampler(asm);
        }
        asm.label("rules");
        asm.emit(ldxW(R2, R6, CTX_DATA), ldxW(R3, R6, CTX_DATA_END), mov64(R9, R3), sub64(R9, R2));
    }

    /** 1 packet in N (N read from levee_config each time, so it changes without reloading) to the ring buffer. */
    private void sampler(Assembler asm) {
        asm.emit(mov64(R1, 0), stxW(R10, KEY, R1));
        asm.ldMap(R1, DataplaneMaps.CONFIG.name());
        asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, "rules");
        asm.emit(ldxW(R8, R0, DataplaneMaps.CONFIG_SAMPLE_RATE));
        asm.jeqImm(R8, 0, "rules");
        asm.jeqImm(R8, 1, "sample_take");
        // sample when random * N / 2^32 == 0, i.e. random < 2^32 / N: probability 1/N (to 2^-32),
        // without a modulo (which llvm-objdump 14 cannot disassemble)
        asm.emit(call(Helper.GET_PRANDOM_U32), mul64(R0, R8), rsh64(R0, 32));
        asm.jneImm(R0, 0, "rules");
        asm.label("sample_take");
        asm.ldMap(R1, DataplaneMaps.SAMPLES.name());
        asm.emit(mov64(R2, SAMPLE_HEADER + sampleBytes), mov64(R3, 0), call(Helper.RINGBUF_RESERVE));
        asm.jneImm(R0, 0, "sample_fill");
        increment(asm, Counter.SAMPLES_LOST); // the buffer is full: lose the sample, never wait
        asm.ja("rules");
        asm.label("sample_fill");
        asm.emit(mov64(R9, R0), call(Helper.KTIME_GET_NS));
        asm.emit(stxDW(R9, SampleLayout.TIMESTAMP, R0));
        asm.emit(ldxW(R1, R6, CTX_INGRESS_IFINDEX), stxW(R9, SampleLayout.IFINDEX, R1));
        asm.emit(ldxW(R1, R6, CTX_RX_QUEUE), stxW(R9, SampleLayout.RX_QUEUE, R1));
        asm.emit(ldxW(R2, R6, CTX_DATA), ldxW(R3, R6, CTX_DATA_END), sub64(R3, R2));
        asm.emit(stxW(R9, SampleLayout.PACKET_LENGTH, R3), stxW(R9, SampleLayout.SAMPLE_RATE, R8));
        asm.emit(mov64(R4, R3));
        asm.jleImm(R4, sampleBytes, "sample_length");
        asm.emit(mov64(R4, sampleBytes));
        asm.label("sample_length");
        asm.emit(stxW(R9, SampleLayout.CAPTURED_LENGTH, R4), mov64(R1, 0), stxW(R9, SampleLayout.RESERVED, R1));
        asm.jltImm(R4, 1, "sample_submit");
        asm.emit(mov64(R1, R6), mov64(R2, 0), mov64(R3, R9), add64(R3, SAMPLE_HEADER), call(Helper.XDP_LOAD_BYTES));
        asm.jeqImm(R0, 0, "sample_submit");
        asm.emit(mov64(R1, 0), stxW(R9, SampleLayout.CAPTURED_LENGTH, R1));
        asm.label("sample_submit");
        asm.emit(mov64(R1, R9), mov64(R2, 0), call(Helper.RINGBUF_SUBMIT));
        increment(asm, Counter.SAMPLED);
    }

    private static String hitLabel(int index) {
        return "hit" + index;
    }

    /** Slots of rule {@code index}'s hit code (its action): what it adds to its program. */
    private int hitSlots(Rule rule, int index) {
        Set<String> used = Set.copyOf(usedExits);
        Assembler scratch = new Assembler();
        hit(scratch, rule, index);
        usedExits.retainAll(used); // measuring is not emitting: the exits it named stay unused
        return scratch.slot();
    }

    /** Where a packet goes once rule {@code index} matched: count it and apply its action. */
    private void hit(Assembler asm, Rule rule, int index) {
        String prefix = "r" + index + "_";
        asm.label(hitLabel(index));
        long key = RuleKey.of(rule.id());
        switch (rule.action()) {
            case Action.Drop d -> countThen(asm, key, "count_drop");
            case Action.Pass p -> countThen(asm, key, "count_pass");
            case Action.RateLimit limit -> {
                asm.emit(ldImm64(R8, key));
                countRule(asm, prefix + "counted");
                rateLimit(asm, limit, key, prefix);
            }
        }
    }

    /** A matching drop or pass rule: its key in r8, then the shared block that counts it and acts. */
    private void countThen(Assembler asm, long key, String block) {
        usedExits.add(block);
        asm.emit(ldImm64(R8, key));
        asm.ja(block);
    }

    /** Adds the packet (1, r9 bytes) to this CPU's counts of the rule whose key is in r8. */
    private static void countRule(Assembler asm, String done) {
        asm.emit(stxDW(R10, RULE_KEY, R8));
        asm.ldMap(R1, DataplaneMaps.RULE_STATS.name());
        asm.emit(mov64(R2, R10), add64(R2, RULE_KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, done);
        asm.emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1));
        asm.emit(ldxDW(R1, R0, 8), add64(R1, R9), stxDW(R0, 8, R1));
        asm.label(done);
    }

    /**
     * GCRA on one 64-bit word (the theoretical arrival time, TAT) shared by all CPUs: a packet
     * conforms when max(TAT, now) + T − now ≤ burst × T, and then moves TAT forward with
     * compare-and-swap; a lost race is retried a bounded number of times.
     */
    private void rateLimit(Assembler asm, Action.RateLimit limit, long key, String prefix) {
        long interval = limit.intervalNanos();
        long tolerance = limit.burst() * interval;
        usedExits.add("exit_ratelimited");
        asm.emit(ldImm64(R1, key), stxDW(R10, RULE_KEY, R1));
        asm.ldMap(R1, DataplaneMaps.RATE_LIMITS.name());
        asm.emit(mov64(R2, R10), add64(R2, RULE_KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, "exit_pass"); // no state (the loader always makes one): fail open
        asm.emit(mov64(R8, R0), call(Helper.KTIME_GET_NS), mov64(R5, R0));
        for (int attempt = 0; attempt < RATE_LIMIT_ATTEMPTS; attempt++) {
            String later = prefix + "tat" + attempt;
            asm.emit(ldxDW(R1, R8, 0), mov64(R2, R1));
            asm.jgeReg(R2, R5, later);
            asm.emit(mov64(R2, R5));
            asm.label(later);
            asm.emit(add64(R2, (int) interval)); // interval ≤ 1e9 fits the immediate
            asm.emit(mov64(R3, R2), sub64(R3, R5), ldImm64(R4, tolerance));
            asm.jgtReg(R3, R4, "exit_ratelimited");
            asm.emit(mov64(R0, R1), atomicCmpxchg(Size.DW, R8, 0, R2));
            asm.jeqReg(R0, R1, "exit_pass");
        }
        asm.ja("exit_ratelimited");
    }

    /** The shared exits: count, then tail-call the hook slot of the action; an empty slot falls through. */
    private void epilogue(Assembler asm) {
        asm.label("exit_pass");
        increment(asm, Counter.PASSED);
        asm.emit(mov64(R8, XdpAction.PASS.code()));
        asm.ja("exit_hook");
        if (usedExits.contains("count_pass")) {
            asm.label("count_pass");
            countRule(asm, "count_pass_done");
            asm.ja("exit_pass");
        }
        if (usedExits.contains("count_drop")) {
            asm.label("count_drop");
            countRule(asm, "count_drop_done");
            increment(asm, Counter.DROPPED);
            asm.emit(mov64(R8, XdpAction.DROP.code()));
            asm.ja("exit_hook");
        }
        if (usedExits.contains("exit_ratelimited")) {
            asm.label("exit_ratelimited");
            increment(asm, Counter.RATELIMITED);
            asm.emit(mov64(R8, XdpAction.DROP.code()));
        }
        asm.label("exit_hook");
        asm.emit(mov64(R1, R6));
        asm.ldMap(R2, DataplaneMaps.HOOK.name());
        asm.emit(mov32(R3, R8), call(Helper.TAIL_CALL), mov64(R0, R8), exit());
        asm.label("no_counters"); // cannot happen (a per-CPU array always has entry 0); pass untouched
        asm.emit(mov64(R0, XdpAction.PASS.code()), exit());
    }

    private static void increment(Assembler asm, Counter counter) {
        asm.emit(ldxDW(R1, R7, counter.offset()), add64(R1, 1), stxDW(R7, counter.offset(), R1));
    }
}

package org.levee.dataplane.program;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.compiler.CompilationCache;
import org.levee.compiler.FilterChain;
import org.levee.compiler.FilterIndex;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;
import org.levee.rules.Action;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilter;

/**
 * Writes the data-plane program, {@code sampler → rules → exit}, as eBPF.
 *
 * <p>Registers: r6 the XDP context, r7 this CPU's {@link Counter} slots, r9 the packet length
 * while rules run (a number, which the rule guards compare), r8 a scratch register (the rule's
 * counter slot, {@link DataplaneProgram#counterSymbol}, set by the loader; the map-read
 * enablement, the sample rate, the action at the exit). Filter fragments use r0–r5 and the top of the stack (see {@link FilterEmitter}); the
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
 * {@link DataplaneProgram#chainSymbol}; the sampler runs only in the
 * first. When no rule of the main stage matched, the last program tail-calls the second rules
 * stage in {@link DataplaneMaps#LOCAL} (an edge's local rules, built with {@link #localStage()});
 * the slot is empty by default and the packet goes on to the exit.
 *
 * <p>When enough rules are told apart by one value (a port, an address), the rules are a
 * {@link FilterIndex} instead, so that a packet's cost does not grow with their number: each
 * program is a section of it, of up to {@link ProgramLimits#MAX_INDEXED_SLOTS_PER_PROGRAM}
 * slots, its bodies after the exits, each hit block next to its bucket. Its group guards name
 * {@link DataplaneProgram#groupSymbol}, decided by the loader from the rules' constants
 * ({@link RuleGroup}), so disabled rules still leave nothing.
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
    /** Prefix of an indexed program's labels; {@code x_b<m>} starts the body of part m of its section, {@code x_dispatch} the jump to the best match. */
    private static final String INDEX_LABELS = "x_";
    /** Stack word of the best match so far while an indexed section runs (upper half of a slot: FilterIndex.Layout). */
    private static final int BEST = FilterEmitter.SCRATCH - 28;
    /** Compare-and-swap attempts of the rate limiter before a packet counts as over the limit. */
    static final int RATE_LIMIT_ATTEMPTS = 4;

    private final int sampleBytes;
    private final int maxRuleSlots;
    private final boolean enablementFromMap;
    /** Fewest rules of an index class; 0: no index, the rules are one chain. */
    private final int minClassSize;
    /** Slots of an indexed program after which the next program starts. */
    private final int maxIndexedSlots;
    /** The programs are the second rules stage ({@link #localStage()}), not the main one. */
    private final boolean localStage;
    /** Slots of a rule's hit block (chain) and of its far hit block (index), by action: they depend on nothing else. */
    private final Map<Action, Integer> hitSlots = new HashMap<>();

    private final Map<Action, Integer> farHitSlots = new HashMap<>();

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
            throw new IllegalArgumentException(
                    "sample bytes " + sampleBytes + " is outside 1.." + ProgramLimits.MAX_SAMPLE_BYTES);
        }
        if (maxRuleSlots < 1 || maxRuleSlots > ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM) {
            throw new IllegalArgumentException("rule slots per program " + maxRuleSlots + " is outside 1.."
                    + ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM);
        }
        this.sampleBytes = sampleBytes;
        this.maxRuleSlots = maxRuleSlots;
        this.enablementFromMap = enablementFromMap;
        this.minClassSize = FilterIndex.DEFAULT_MIN_CLASS_SIZE;
        // a caller who asks for small programs gets small indexed programs too
        this.maxIndexedSlots = maxRuleSlots < ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM
                ? maxRuleSlots
                : ProgramLimits.MAX_INDEXED_SLOTS_PER_PROGRAM;
        this.localStage = false;
    }

    private ProgramBuilder(ProgramBuilder base, int minClassSize, int maxIndexedSlots, boolean localStage) {
        this.sampleBytes = base.sampleBytes;
        this.maxRuleSlots = base.maxRuleSlots;
        this.enablementFromMap = base.enablementFromMap;
        this.minClassSize = minClassSize;
        this.maxIndexedSlots = maxIndexedSlots;
        this.localStage = localStage;
    }

    /**
     * This builder making the second rules stage, an edge's local rules: programs entered through
     * {@link DataplaneMaps#LOCAL} once the main stage matched nothing. Their first program is not
     * an entry (the main stage has sampled the packet), and none of them
     * tail-calls the local slot again.
     */
    public ProgramBuilder localStage() {
        return new ProgramBuilder(this, minClassSize, maxIndexedSlots, true);
    }

    /**
     * This builder with other index settings: classes of at least {@code minClassSize} rules
     * (0 turns the index off: the rules are one chain, as before the index existed), indexed
     * programs of at most {@code maxIndexedSlots} slots.
     */
    public ProgramBuilder indexing(int minClassSize, int maxIndexedSlots) {
        if (minClassSize < 0) {
            throw new IllegalArgumentException("minimum class size " + minClassSize + " is negative");
        }
        if (maxIndexedSlots < 1 || maxIndexedSlots > ProgramLimits.MAX_INDEXED_SLOTS_PER_PROGRAM) {
            throw new IllegalArgumentException("indexed program slots " + maxIndexedSlots + " is outside 1.."
                    + ProgramLimits.MAX_INDEXED_SLOTS_PER_PROGRAM);
        }
        return new ProgramBuilder(this, minClassSize, maxIndexedSlots, localStage);
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
        return build(rules, new CompilationCache());
    }

    /**
     * The program for {@code rules}, in order, taking from {@code cache} what an earlier build
     * with it made (each rule's filter made ready, each index bucket's code) and leaving there
     * what this one makes: the same program as {@link #build(List)}, byte for byte, in a
     * fraction of the time when the rules changed little (see {@link RuleSetCompiler}). A cache
     * serves builders of one kind: their rules' guards and hit blocks must be written alike.
     *
     * @throws IllegalArgumentException when the chain would need more than {@link ProgramLimits#MAX_CHAIN} programs
     */
    public DataplaneProgram build(List<RuleFilter> rules, CompilationCache cache) {
        if (enablementFromMap && rules.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "enablement from a map reaches at most " + Short.MAX_VALUE + " rules (16-bit load offset)");
        }
        if (enablementFromMap || minClassSize == 0) {
            // the index's group guards are decided by constants: a map of enable bytes has none
            return buildChain(rules, FilterEmitter.chain(rules, cache));
        }
        FilterIndex index = FilterEmitter.index(rules, minClassSize, cache);
        return index.hasClasses() ? buildIndexed(rules, index) : buildChain(rules, index.rest());
    }

    /** The rules as one {@link FilterChain}, cut into programs of {@link #maxRuleSlots}. */
    private DataplaneProgram buildChain(List<RuleFilter> rules, FilterChain filters) {
        List<AssembledProgram> chain = new ArrayList<>();
        int next = 0;
        do {
            int index = chain.size();
            if (index >= ProgramLimits.MAX_CHAIN) {
                throw new IllegalArgumentException("the rule set needs more than " + ProgramLimits.MAX_CHAIN
                        + " chained programs (" + next + " of " + rules.size() + " rules placed)");
            }
            Assembler asm = new Assembler();
            prologue(asm, index == 0 && !localStage, false);
            FilterChain.Segment segment = filters.segment(
                    next,
                    FilterEmitter.layout(CHAIN_LABELS),
                    (block, i, skip) -> guard(block, rules.get(i).rule(), i, skip),
                    ProgramBuilder::hitLabel,
                    "rules_end");
            int first = next;
            int hitSlots = 0;
            // every jump must reach the exit blocks after the rules: add a rule only when even its
            // largest code still fits (the first always goes in)
            while (segment.nextFilter() < rules.size()) {
                int rule = segment.nextFilter();
                int ruleHit = hitSlots(rules.get(rule).rule(), rule);
                if (segment.filters() > 0
                        && segment.slots() + hitSlots + ruleHit + filters.slotsAtMost(rule) > maxRuleSlots) {
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
            tailCallLocalStage(asm);
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
            epilogue(asm, true, null);
            // the rule chain's internal labels (a copy of a rule per state, every exit) would make
            // most of the object's symbol table; each rule keeps the label of its plain copy
            chain.add(asm.assemble(name -> !name.startsWith(CHAIN_LABELS) || isNumbered(name, "c_f")));
        } while (next < rules.size());
        return new DataplaneProgram(chain, sampleBytes);
    }

    /**
     * The rules as a {@link FilterIndex}: each program one section of it, as large as
     * {@link #maxIndexedSlots} allows. The sections' code jumps far (bodies after the exits), so
     * the prologue passes a packet without counters on the spot, and every hit block is written
     * next to the bucket that jumps to it ({@link #farHit}).
     */
    private DataplaneProgram buildIndexed(List<RuleFilter> rules, FilterIndex index) {
        List<AssembledProgram> chain = new ArrayList<>();
        List<RuleGroup> groups = new ArrayList<>();
        int next = 0;
        do {
            int program = chain.size();
            if (program >= ProgramLimits.MAX_CHAIN) {
                throw new IllegalArgumentException("the rule set needs more than " + ProgramLimits.MAX_CHAIN
                        + " chained programs (" + next + " of " + rules.size() + " rules placed)");
            }
            int most = Integer.MAX_VALUE;
            while (true) {
                Indexed built = indexedProgram(rules, index, program, next, most, groups.size());
                FilterIndex.Section section = built.section();
                if (section.withinLimits(maxIndexedSlots) || section.filters() == 1) {
                    for (FilterIndex.Group group : section.groups()) {
                        groups.add(new RuleGroup(group.buckets().stream()
                                .map(bucket -> bucket.stream()
                                        .map(f -> rules.get(f).rule().enabledSymbol())
                                        .toList())
                                .toList()));
                    }
                    chain.add(built.program());
                    next = section.nextFilter();
                    break;
                }
                // the estimates were short: fewer rules, in proportion, and a margin
                most = Math.max(
                        1, (int) (section.filters() * 0.9 * maxIndexedSlots / Math.max(1, section.emittedSlots())));
                most = Math.min(most, section.filters() - 1);
            }
        } while (next < rules.size());
        return new DataplaneProgram(chain, sampleBytes, groups);
    }

    private record Indexed(AssembledProgram program, FilterIndex.Section section) {}

    /** Program {@code program} of an indexed set: at most {@code most} rules from {@code first} on. */
    private Indexed indexedProgram(
            List<RuleFilter> rules, FilterIndex index, int program, int first, int most, int groupOffset) {
        Assembler asm = new Assembler();
        FilterIndex.Section section = index.section(
                first,
                new FilterIndex.Layout(FilterEmitter.layout(INDEX_LABELS), R8, BEST, INDEX_LABELS),
                new IndexCode(rules, groupOffset));
        while (section.nextFilter() < rules.size()
                && section.filters() < most
                && (section.filters() == 0 || section.fits(maxRuleSlots, maxIndexedSlots))) {
            section.add();
        }
        prologue(asm, program == 0 && !localStage, true);
        Assembler bodies = new Assembler();
        section.emit(asm, bodies);
        asm.label("rules_end");
        if (section.nextFilter() < rules.size()) {
            asm.enableGuard(R9, DataplaneProgram.chainSymbol(program + 1), "chain_end");
            asm.emit(mov64(R1, R6));
            asm.ldMap(R2, DataplaneMaps.CHAIN.name());
            asm.emit(mov32(R3, program + 1), call(Helper.TAIL_CALL));
            asm.label("chain_end");
        }
        tailCallLocalStage(asm);
        epilogue(asm, false, bodies);
        asm.append(bodies);
        // the index's labels (every node, bucket and copy) would make most of the symbol table;
        // each part of a section keeps the label of its body
        return new Indexed(
                asm.assemble(
                        name -> !name.startsWith(INDEX_LABELS) || isNumbered(name, "x_b") || name.equals("x_dispatch")),
                section);
    }

    /** What the index writes with the data plane's guards and hit blocks. */
    private final class IndexCode implements FilterIndex.Code {
        private final List<RuleFilter> rules;
        private final int groupOffset;

        IndexCode(List<RuleFilter> rules, int groupOffset) {
            this.rules = rules;
            this.groupOffset = groupOffset;
        }

        @Override
        public void guard(Assembler block, int filter, String skipLabel) {
            block.enableGuard(R9, rules.get(filter).rule().enabledSymbol(), skipLabel);
        }

        @Override
        public void groupGuard(Assembler block, int group, int from, int to, String skipLabel) {
            block.enableGuard(R9, DataplaneProgram.groupSymbol(groupOffset + group, from, to), skipLabel);
        }

        @Override
        public void hit(Assembler block, int filter, String label) {
            farHit(block, rules.get(filter).rule(), label);
        }

        @Override
        public int hitSlots(int filter) {
            return farHitSlots(rules.get(filter).rule());
        }

        @Override
        public Object codeKey(int filter) {
            return rules.get(filter).rule().id(); // the guard names the rule's constant, rule_<id>_enabled
        }

        @Override
        public void packetPointers(Assembler block) {
            block.emit(ldxW(R2, R6, CTX_DATA), ldxW(R3, R6, CTX_DATA_END));
        }
    }

    /**
     * Where the main stage goes when none of its rules matched (a later program of its chain
     * would have been tail-called before): the local stage in slot 0 of {@link DataplaneMaps#LOCAL}.
     * The slot is empty unless an edge loaded local rules there, and a tail call to an empty slot
     * falls through to the exit. The call is the same in every main program whatever the slot
     * holds, so one object stays byte-identical on every edge of a data center.
     */
    private void tailCallLocalStage(Assembler asm) {
        if (!localStage) {
            asm.emit(mov64(R1, R6));
            asm.ldMap(R2, DataplaneMaps.LOCAL.name());
            asm.emit(mov32(R3, 0), call(Helper.TAIL_CALL));
        }
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

    /** @param far the program is too large for a jump from here to its end: pass a packet without counters right here */
    private void prologue(Assembler asm, boolean entry, boolean far) {
        asm.emit(mov64(R6, R1), mov64(R1, 0), stxW(R10, KEY, R1));
        asm.ldMap(R1, DataplaneMaps.COUNTERS.name());
        asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
        if (far) {
            asm.jneImm(R0, 0, "counters");
            asm.emit(mov64(R0, XdpAction.PASS.code()), exit()); // cannot happen: see no_counters
            asm.label("counters");
        } else {
            asm.jeqImm(R0, 0, "no_counters");
        }
        asm.emit(mov64(R7, R0));
        if (enablementFromMap) {
            asm.emit(mov64(R1, 0), stxW(R10, KEY, R1));
            asm.ldMap(R1, ENABLED_MAP);
            asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
            asm.jeqImm(R0, 0, "no_counters");
            asm.emit(stxDW(R10, ENABLED_POINTER, R0));
        }
        if (entry) {
            sampler(asm); // seen is not counted here: see Counter.SEEN
        }
        asm.label("rules");
        asm.emit(ldxW(R2, R6, CTX_DATA), ldxW(R3, R6, CTX_DATA_END), mov64(R9, R3), sub64(R9, R2));
    }

    /**
     * 1 packet in N to the ring buffer (N read from levee_config each time, so it changes without
     * reloading), as sFlow agents sample: each CPU counts down a skip drawn uniformly from
     * [1, 2N − 1] (mean N) and samples the packet that brings it to the end, then draws the next.
     * A packet that is not sampled costs a decrement; the random draw, a helper call, is paid once
     * per sample, not per packet. A countdown of 0 (a CPU's first packet) or above 2N − 1 (N was
     * lowered) is drawn anew without sampling, so a new N applies within 2N packets.
     */
    private void sampler(Assembler asm) {
        asm.emit(mov64(R1, 0), stxW(R10, KEY, R1));
        asm.ldMap(R1, DataplaneMaps.CONFIG.name());
        asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, "rules");
        asm.emit(ldxW(R8, R0, DataplaneMaps.CONFIG_SAMPLE_RATE));
        asm.jeqImm(R8, 0, "rules");
        asm.jeqImm(R8, 1, "sample_take");
        asm.emit(ldxDW(R1, R7, DataplaneMaps.COUNTERS_SAMPLE_COUNTDOWN));
        asm.emit(mov64(R2, R8), lsh64(R2, 1), sub64(R2, 1)); // 2N − 1 ≤ 2^32 − 3: N is a positive int
        asm.jgtReg(R1, R2, "sample_redraw");
        asm.jleImm(R1, 1, "sample_draw");
        asm.emit(sub64(R1, 1), stxDW(R7, DataplaneMaps.COUNTERS_SAMPLE_COUNTDOWN, R1));
        asm.ja("rules");
        asm.label("sample_redraw");
        asm.emit(mov64(R1, 0));
        asm.label("sample_draw");
        // r1 is 1 (this packet is the one) or 0 (draw only); the next skip is random × (2N − 1) >> 32,
        // plus 1: uniform in [1, 2N − 1] without a modulo (which llvm-objdump 14 cannot disassemble)
        asm.emit(mov64(R9, R1), call(Helper.GET_PRANDOM_U32));
        asm.emit(mov64(R2, R8), lsh64(R2, 1), sub64(R2, 1), mul64(R0, R2), rsh64(R0, 32), add64(R0, 1));
        asm.emit(stxDW(R7, DataplaneMaps.COUNTERS_SAMPLE_COUNTDOWN, R0));
        asm.jeqImm(R9, 0, "rules");
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

    /** Whether {@code name} is {@code prefix} and a number (a label the object keeps; there are a great many others). */
    private static boolean isNumbered(String name, String prefix) {
        if (name.length() == prefix.length() || !name.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String hitLabel(int index) {
        return "hit" + index;
    }

    /** Slots of rule {@code index}'s hit code (its action): what it adds to its program. */
    private int hitSlots(Rule rule, int index) {
        return hitSlots.computeIfAbsent(rule.action(), action -> {
            Assembler scratch = new Assembler();
            hit(scratch, rule, index);
            return scratch.slot();
        });
    }

    /** Where a packet goes once rule {@code index} matched: count it and apply its action. */
    private void hit(Assembler asm, Rule rule, int index) {
        String prefix = "r" + index + "_";
        asm.label(hitLabel(index));
        String counter = DataplaneProgram.counterSymbol(rule.id());
        switch (rule.action()) {
            case Action.Drop d -> countThen(asm, counter, "count_drop");
            case Action.Pass p -> countThen(asm, counter, "count_pass");
            case Action.RateLimit limit -> {
                long key = RuleKey.of(rule.id());
                asm.ldImm64(R8, counter);
                countRule(asm, prefix + "counted");
                rateLimit(asm, limit, key, prefix, "exit_pass", "exit_ratelimited");
            }
        }
    }

    /**
     * {@link #hit} for code placed anywhere in a large program (next to an index bucket): it
     * starts with {@code label}, and reaches the shared blocks with {@code gotol}, through
     * trampolines of its own for the rate limiter's conditional jumps.
     */
    private void farHit(Assembler asm, Rule rule, String label) {
        asm.label(label);
        String counter = DataplaneProgram.counterSymbol(rule.id());
        switch (rule.action()) {
            case Action.Drop d -> farCountThen(asm, counter, "count_drop");
            case Action.Pass p -> farCountThen(asm, counter, "count_pass");
            case Action.RateLimit limit -> {
                long key = RuleKey.of(rule.id());
                asm.ldImm64(R8, counter);
                countRule(asm, label + "_counted");
                rateLimit(asm, limit, key, label + "_", label + "_pass", label + "_limited");
                asm.label(label + "_pass").gotol("exit_pass");
                asm.label(label + "_limited").gotol("exit_ratelimited");
            }
        }
    }

    private void farCountThen(Assembler asm, String counter, String block) {
        asm.ldImm64(R8, counter);
        asm.gotol(block);
    }

    /** Slots of {@link #farHit} for {@code rule}. */
    private int farHitSlots(Rule rule) {
        return farHitSlots.computeIfAbsent(rule.action(), action -> {
            Assembler scratch = new Assembler();
            farHit(scratch, rule, "h");
            return scratch.slot();
        });
    }

    /** A matching drop or pass rule: its counter slot in r8, then the shared block that counts it and acts. */
    private void countThen(Assembler asm, String counter, String block) {
        asm.ldImm64(R8, counter);
        asm.ja(block);
    }

    /** Adds the packet (1, r9 bytes) to this CPU's counts of the rule whose counter slot is in r8. */
    private static void countRule(Assembler asm, String done) {
        asm.emit(stxW(R10, KEY, R8));
        asm.ldMap(R1, DataplaneMaps.RULE_STATS.name());
        asm.emit(mov64(R2, R10), add64(R2, KEY), call(Helper.MAP_LOOKUP_ELEM));
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
    private void rateLimit(
            Assembler asm, Action.RateLimit limit, long key, String prefix, String pass, String limited) {
        long interval = limit.intervalNanos();
        long tolerance = limit.burst() * interval;
        asm.emit(ldImm64(R1, key), stxDW(R10, RULE_KEY, R1));
        asm.ldMap(R1, DataplaneMaps.RATE_LIMITS.name());
        asm.emit(mov64(R2, R10), add64(R2, RULE_KEY), call(Helper.MAP_LOOKUP_ELEM));
        asm.jeqImm(R0, 0, pass); // no state (the loader always makes one): fail open
        asm.emit(mov64(R8, R0), call(Helper.KTIME_GET_NS), mov64(R5, R0));
        for (int attempt = 0; attempt < RATE_LIMIT_ATTEMPTS; attempt++) {
            String later = prefix + "tat" + attempt;
            asm.emit(ldxDW(R1, R8, 0), mov64(R2, R1));
            asm.jgeReg(R2, R5, later);
            asm.emit(mov64(R2, R5));
            asm.label(later);
            asm.emit(add64(R2, (int) interval)); // interval ≤ 1e9 fits the immediate
            asm.emit(mov64(R3, R2), sub64(R3, R5), ldImm64(R4, tolerance));
            asm.jgtReg(R3, R4, limited);
            asm.emit(mov64(R0, R1), atomicCmpxchg(Size.DW, R8, 0, R2));
            asm.jeqReg(R0, R1, pass);
        }
        asm.ja(limited);
    }

    /**
     * The shared exits: count, then tail-call the hook slot of the action; an empty slot falls
     * through. With {@code noCounters}, also the block the prologue's failed counter lookup jumps to.
     * Only the blocks some code of the program (in {@code asm}, or in {@code bodies} placed after
     * it) jumps to: the verifier refuses unreachable code.
     */
    private void epilogue(Assembler asm, boolean noCounters, Assembler bodies) {
        java.util.function.Predicate<String> used =
                label -> asm.jumpsTo(label) || bodies != null && bodies.jumpsTo(label);
        boolean countPass = used.test("count_pass");
        boolean countDrop = used.test("count_drop");
        boolean rateLimited = used.test("exit_ratelimited");
        asm.label("exit_pass");
        increment(asm, Counter.PASSED);
        hookThenExit(asm, XdpAction.PASS);
        if (countPass) {
            asm.label("count_pass");
            countRule(asm, "count_pass_done");
            asm.ja("exit_pass");
        }
        if (countDrop) {
            asm.label("count_drop");
            countRule(asm, "count_drop_done");
            increment(asm, Counter.DROPPED);
            asm.ja("exit_drop");
        }
        if (rateLimited) {
            asm.label("exit_ratelimited");
            increment(asm, Counter.RATELIMITED);
        }
        if (countDrop || rateLimited) {
            asm.label("exit_drop");
            hookThenExit(asm, XdpAction.DROP);
        }
        if (noCounters) {
            asm.label("no_counters"); // cannot happen (a per-CPU array always has entry 0); pass untouched
            asm.emit(mov64(R0, XdpAction.PASS.code()), exit());
        }
    }

    /**
     * Tail-calls slot {@code action} of the xdpcap hook, then returns {@code action} when the slot
     * is empty. One call site per action, its index a constant: the verifier then marks the call
     * direct and the JIT makes it a jump patched when the slot changes (a no-op while it is empty),
     * where one shared site with the action in a register read the program array every packet.
     */
    private static void hookThenExit(Assembler asm, XdpAction action) {
        asm.emit(mov64(R1, R6));
        asm.ldMap(R2, DataplaneMaps.HOOK.name());
        asm.emit(mov32(R3, action.code()), call(Helper.TAIL_CALL), mov64(R0, action.code()), exit());
    }

    private static void increment(Assembler asm, Counter counter) {
        asm.emit(ldxDW(R1, R7, counter.offset()), add64(R1, 1), stxDW(R7, counter.offset(), R1));
    }
}

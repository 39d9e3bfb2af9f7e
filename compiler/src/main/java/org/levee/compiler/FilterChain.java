package org.levee.compiler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.Conjunction;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Facts;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.JumpNormaliser;
import org.levee.compiler.flow.Knowledge;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.Predicate;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.Values;
import org.levee.ebpf.asm.Assembler;

/**
 * An ordered list of filters compiled into one stretch of eBPF that jumps to the match label of
 * the first <em>enabled</em> filter that matches the packet, each filter behind a guard the caller
 * writes (a patched constant, say). Filter i runs only when filters 0..i-1 did not match, so what
 * they tested and loaded is known when it starts: the chain compiles filter i once for each
 * {@linkplain Entry state} the filters before it can leave — what is known about the packet,
 * what A, X and the packet pointer hold — and that copy leaves out every test already decided,
 * every load already in its register and every guard already proved (BPF+'s redundant-predicate
 * elimination, across filters). A thousand rules {@code udp and dst port N} for one destination
 * then cost one compare each after the first, instead of their whole filter.
 *
 * <p>States: a filter's copies are keyed by their entry, reduced to what the next
 * {@link #HORIZON} filters can use ({@link Knowledge#retain}), so paths that know the same useful
 * things share code; states that know the same facts share one copy, which assumes only the
 * registers they agree on ({@link Entry#meet}). A path whose facts rule out the next filters
 * ({@link Facts#rulesOut}) skips them without a state. Copies are compiled most-informed first,
 * and a filter's specialised copies together take at most half its plain copy's size (at least
 * {@value #MIN_COPY_BUDGET} slots); a state past that budget, or past
 * {@link #MAX_STATES_PER_FILTER}, runs the copy that assumes the most of what it knows, at worst
 * the plain one. Every filter has its plain copy (entry {@link Entry#NONE}), where the chain
 * starts and where a run of disabled filters from the start continues.
 *
 * <p>Guards and layout: each copy starts with its filter's guard; a disabled guard skips to the
 * copy of the next filter for the same state. Copies are laid out in traces along those skips
 * (the skip target placed right after), so a disabled filter leaves no instruction on any path
 * once the verifier has deleted its code: with every filter disabled the chain is nothing at
 * all. Jumps between traces may go backwards; the code is still acyclic (filter order), which
 * the verifier accepts for privileged programs.
 *
 * <p>Use: {@link #of} the whole list (relevance looks ahead over all of it), then one
 * {@link Segment} per program: {@link Segment#add} filters while {@link Segment#slots} is below
 * the program's budget, then {@link Segment#emitTo}.
 */
public final class FilterChain {
    /** Most copies of one filter, each for one state of the filters before it. */
    public static final int MAX_STATES_PER_FILTER = 64;
    /** Instructions walked to prove that what is known rules a filter out before compiling it. */
    private static final int RULE_OUT_BUDGET = 256;
    /**
     * How far ahead a fact or a register's value is worth carrying: only when one of the next
     * this many filters uses it. Without a horizon, a test that recurs now and then (a host that
     * comes back every few hundred rules) keeps paths apart that could share their copies.
     */
    static final int HORIZON = 64;
    /** Slots the specialised copies of even the smallest filter may take. */
    private static final int MIN_COPY_BUDGET = 32;
    /** A bound on the slots of a guard the caller writes (a patched jump is one; a map read three). */
    private static final int GUARD_SLOTS = 4;

    /** Writes the guard in front of each copy of a filter. */
    @FunctionalInterface
    public interface Guard {
        /**
         * Appends to {@code block} code that jumps to {@code skipLabel} when filter {@code filter}
         * is disabled, and otherwise falls through. It must not change A, X, the pointer or the
         * temporary register of the layout, nor the packet registers.
         */
        void emit(Assembler block, int filter, String skipLabel);
    }

    private final List<Flow> flows;
    private final int[] sourceSizes;
    /** Slots of each filter's plain copy (its fragment on its own). */
    private final int[] plainSlots;
    /** The filters that test each predicate, in order. */
    private final Map<Predicate, Uses> tests = new HashMap<>();
    /** The filters that test, compute or load through each value, in order. */
    private final Map<Value, Uses> uses = new HashMap<>();
    /** The last filter that loads from the packet. */
    private int lastLoad = -1;

    /**
     * One filter made ready for chains: its programs joined and normalised, and compiled on its
     * own (what its plain copy is, and what it tests and uses). Made once, it serves every chain
     * the filter is in ({@link FilterIndex} puts a filter in several), and every later compile of
     * a list that still has it ({@link CompilationCache}); what an index needs to know of it (its
     * matching paths and their keys) is worked out once too, when first asked. Compared by
     * identity: a cache hands out one instance per list of programs.
     */
    static final class Filter {
        /** The conjunction of the filter's programs. */
        final Flow flow;
        /** Instructions of those programs. */
        final int sourceSize;
        /** The filter compiled for no state. */
        final Compilation alone;
        /** Slots of its plain copy. */
        final int plainSlots;

        private FilterIndex.PathFacts pathFacts;

        private Filter(Flow flow, int sourceSize, Compilation alone, int plainSlots) {
            this.flow = flow;
            this.sourceSize = sourceSize;
            this.alone = alone;
            this.plainSlots = plainSlots;
        }

        /** The filter that matches when all of {@code programs} match. */
        static Filter of(List<CbpfProgram> programs) {
            List<Flow> parts = new ArrayList<>();
            int size = 0;
            for (CbpfProgram program : programs) {
                parts.add(JumpNormaliser.normalise(program));
                size += program.size();
            }
            Flow flow = Conjunction.of(parts);
            Compilation alone = CbpfCompiler.compile(size, flow, Entry.NONE, false);
            int slots = EbpfEmitter.emit(alone, FragmentLayout.standard("p_", "match", "nomatch"), new Assembler())
                    .instructions();
            return new Filter(flow, size, alone, slots);
        }

        Flow flow() {
            return flow;
        }

        int sourceSize() {
            return sourceSize;
        }

        /** Its matching paths and what each pins, for an index: worked out on first need. */
        FilterIndex.PathFacts pathFacts() {
            if (pathFacts == null) {
                pathFacts = FilterIndex.PathFacts.of(flow);
            }
            return pathFacts;
        }
    }

    FilterChain(List<Filter> filters) {
        this.flows = new ArrayList<>(filters.size());
        this.sourceSizes = new int[filters.size()];
        this.plainSlots = new int[filters.size()];
        for (int i = 0; i < filters.size(); i++) {
            Filter filter = filters.get(i);
            flows.add(filter.flow);
            sourceSizes[i] = filter.sourceSize;
            plainSlots[i] = filter.plainSlots;
            recordUse(i, filter.alone);
        }
    }

    /**
     * The chain of {@code filters}, in order; each filter is the conjunction of its programs (a
     * rule's destination check and its match, say).
     *
     * @throws org.levee.cbpf.CbpfException naming the instruction of a program the compiler cannot take
     */
    public static FilterChain of(List<List<CbpfProgram>> filters) {
        return of(filters, new CompilationCache());
    }

    /**
     * {@link #of(List)}, taking each filter from {@code cache} when an earlier compile made it (a
     * list of programs equal to one it had), and leaving it there for the next.
     */
    public static FilterChain of(List<List<CbpfProgram>> filters, CompilationCache cache) {
        return new FilterChain(filters.stream().map(cache::filter).toList());
    }

    /** The number of filters. */
    public int size() {
        return flows.size();
    }

    /**
     * The most slots the copies of filter {@code filter} take in a segment: its plain copy, and
     * specialised copies up to half that size (a state past that runs a copy it has), with their
     * guards and jumps. For a caller that must keep a segment within a jump range.
     */
    public int slotsAtMost(int filter) {
        return plainSlots[filter] + copyBudget(filter) + MAX_STATES_PER_FILTER * (GUARD_SLOTS + 1);
    }

    /** Slots a filter's specialised copies may take together: half its plain copy (at least a few). */
    private int copyBudget(int filter) {
        return Math.max(plainSlots[filter] / 2, MIN_COPY_BUDGET);
    }

    /**
     * A new stretch of code for filters {@code first, first + 1, …}: it starts knowing nothing (a
     * program of its own, say).
     *
     * @param layout     registers and stack of the fragments; its labels are not used but for the prefix,
     *                   which must be unique in the program
     * @param guard      writes each filter's guard
     * @param matchLabel the label where a match of filter i goes
     * @param endLabel   where packets go that no filter of the segment matches; the caller defines
     *                   it right after {@link Segment#emitTo}
     */
    public Segment segment(
            int first, FragmentLayout layout, Guard guard, IntFunction<String> matchLabel, String endLabel) {
        return segment(first, Entry.NONE, layout, guard, matchLabel, endLabel);
    }

    /**
     * A new stretch of code for filters {@code first, first + 1, …} that starts in {@code start}:
     * code before it has proved what {@code start} says (a {@link FilterIndex} bucket, whose key
     * and shared tests are decided before its filters run).
     */
    Segment segment(
            int first,
            Entry start,
            FragmentLayout layout,
            Guard guard,
            IntFunction<String> matchLabel,
            String endLabel) {
        if (first < 0 || first > flows.size()) {
            throw new IllegalArgumentException("segment start " + first + " is outside 0.." + flows.size());
        }
        return new Segment(first, Objects.requireNonNull(start, "start"), layout, guard, matchLabel, endLabel);
    }

    private void recordUse(int filter, Compilation c) {
        Flow flow = c.flow();
        Values values = c.values();
        for (int i = 0; i < flow.size(); i++) {
            Value[] in = values.before(i);
            if (in == null) {
                continue;
            }
            Op op = flow.get(i);
            if (op.isConditional()) {
                Predicate p = Predicate.of(op, in);
                if (p.isDefinite()) {
                    tests.computeIfAbsent(p, k -> new Uses()).add(filter);
                    use(p.a(), filter);
                    use(p.b(), filter);
                }
                continue;
            }
            if (op.isAbsoluteLoad() || op.isIndirectLoad() || op.isMsh()) {
                lastLoad = filter;
            }
            if (op.isIndirectLoad()) {
                use(in[Values.X_SLOT], filter);
            }
            if (Values.target(op) >= 0) {
                use(Values.result(op, in), filter);
            }
        }
    }

    private void use(Value v, int filter) {
        if (v.isDefinite() && !(v instanceof Value.Const)) {
            uses.computeIfAbsent(v, k -> new Uses()).add(filter);
        }
    }

    /** {@code entry} without what filters {@code filter} and later cannot use. */
    Entry relevantTo(Entry entry, int filter) {
        if (filter >= flows.size()) {
            return Entry.NONE;
        }
        Knowledge.Relevance relevance = new Knowledge.Relevance() {
            @Override
            public boolean tests(Predicate p) {
                Uses u = tests.get(p);
                return u != null && u.within(filter, filter + HORIZON);
            }

            @Override
            public boolean uses(Value v) {
                Uses u = uses.get(v);
                return u != null && u.within(filter, filter + HORIZON);
            }

            @Override
            public boolean loads() {
                return lastLoad >= filter;
            }
        };
        Knowledge facts = entry.facts().retain(relevance);
        Value a = entry.a() != null && relevance.uses(entry.a()) ? entry.a() : null;
        Value x = entry.x() != null && relevance.uses(entry.x()) ? entry.x() : null;
        int packetBytes = relevance.loads() ? entry.packetBytes() : 0;
        return new Entry(
                facts, a, a == null ? 0 : entry.aRawWidth(), x, packetBytes, x == null ? 0 : entry.pointerBytes());
    }

    /** The filters, in increasing order, that use something. */
    private static final class Uses {
        private int[] filters = new int[2];
        private int size;

        void add(int filter) {
            if (size > 0 && filters[size - 1] == filter) {
                return;
            }
            if (size == filters.length) {
                filters = Arrays.copyOf(filters, size * 2);
            }
            filters[size++] = filter;
        }

        /** Whether one of them is in [from, to). */
        boolean within(int from, int to) {
            int i = Arrays.binarySearch(filters, 0, size, from);
            int first = i >= 0 ? i : -i - 1;
            return first < size && filters[first] < to;
        }
    }

    /** A copy of one filter for one entry state, or a name for the code of another state. */
    private static final class State {
        final int filter;
        /** What the copy assumes; it may still weaken (join another entry) until the copy is compiled. */
        Entry entry;

        final String label;
        /** Labels of exits elsewhere that continue here. */
        final List<String> aliases = new ArrayList<>();
        /** The state a disabled guard (or the end of this copy's trace) continues with. */
        State successor;
        /** Set when this state has no code: it continues there. */
        State forward;
        /** This copy's code but its guard (written with the copy, in front of it) and its skip label (after it). */
        Assembler block;

        boolean placed;

        State(int filter, Entry entry, String label) {
            this.filter = filter;
            this.entry = entry;
            this.label = label;
        }

        boolean isPlain() {
            return entry.equals(Entry.NONE);
        }
    }

    private record Key(int filter, Entry entry) {}

    /** Whether {@code facts} rule out filter {@code filter}: no packet they hold for can match it. */
    private boolean rulesOut(int filter, Knowledge facts) {
        return Facts.rulesOut(flows.get(filter), facts, RULE_OUT_BUDGET);
    }

    /** The filters of one program: see {@link FilterChain}. */
    public final class Segment {
        private final int first;
        private final FragmentLayout layout;
        private final Guard guard;
        private final IntFunction<String> matchLabel;
        private final State end;
        private final Map<Key, State> states = new HashMap<>();
        private final Map<Integer, List<State>> byFilter = new HashMap<>();
        private final List<State> created = new ArrayList<>();
        private final BitSet matches = new BitSet();
        private int next;
        private int slots;
        /** Slots of the specialised copies of the filter being compiled. */
        private int specialised;
        /** Once emitted: the compiled copies in the order they are written, and the labels of each. */
        private List<State> placement;

        private Map<State, List<String>> names;

        private Segment(
                int first,
                Entry start,
                FragmentLayout layout,
                Guard guard,
                IntFunction<String> matchLabel,
                String endLabel) {
            this.first = first;
            this.next = first;
            this.layout = Objects.requireNonNull(layout, "layout");
            this.guard = Objects.requireNonNull(guard, "guard");
            this.matchLabel = Objects.requireNonNull(matchLabel, "matchLabel");
            this.end = new State(Integer.MAX_VALUE, Entry.NONE, Objects.requireNonNull(endLabel, "endLabel"));
            request(first, start);
        }

        /** Filters added so far. */
        public int filters() {
            return next - first;
        }

        /** The index of the next filter {@link #add} would compile. */
        public int nextFilter() {
            return next;
        }

        /** Slots of code so far (each copy counted with a possible jump at its end). */
        public int slots() {
            return slots;
        }

        /** Whether some path of the code goes to filter {@code filter}'s match label. */
        public boolean reachesMatch(int filter) {
            return matches.get(filter);
        }

        /**
         * Compiles the next filter for every state the filters before it can leave.
         *
         * @throws IllegalStateException when every filter has been added
         */
        public void add() {
            if (placement != null) {
                throw new IllegalStateException("the segment is emitted already");
            }
            if (next >= flows.size()) {
                throw new IllegalStateException("all " + flows.size() + " filters are in the chain already");
            }
            int filter = next;
            specialised = 0;
            // The plain copy first (every filter has it); then the states that know the most, whose
            // copies leave out the most and which get the filter's budget of copies before the others.
            List<State> states = new ArrayList<>(byFilter.getOrDefault(filter, List.of()));
            states.sort(Comparator.comparing((State st) -> !st.isPlain()).thenComparing(st -> -st.entry.weight()));
            for (State state : states) {
                compile(state);
            }
            next++;
        }

        /**
         * Compiles {@code state}'s copy of its filter, or makes it continue elsewhere when it needs
         * none. States are made only for labels that code jumps to: the verifier refuses code
         * that nothing reaches, so a copy whose block is dropped must not have asked for any.
         */
        private void compile(State state) {
            int filter = state.filter;
            boolean plain = state.isPlain();
            if (!plain && rulesOut(filter, state.entry.facts())) {
                // still ruled out where a request stopped skipping: nothing runs, nothing changes
                state.forward = request(filter + 1, state.entry);
                return;
            }
            if (!plain && specialised >= copyBudget(filter)) {
                State compiled = mostSpecific(filter, state.entry, true);
                if (compiled != null) {
                    state.forward = compiled; // the filter's budget of copies is spent: run one it has
                    return;
                }
            }
            Compilation c = CbpfCompiler.compile(sourceSizes[filter], flows.get(filter), state.entry, true);
            if (c.neverMatches() && !plain) {
                state.forward = request(filter + 1, c.exits().getFirst().state());
                return;
            }
            // The plain copy keeps its guard even when it is empty: every filter has a patch site.
            Assembler block = new Assembler();
            String skip = state.label + "_skip";
            String next = state.label + "_next"; // the successor's code, wherever it is placed
            // the guard is written with the copy (emitTo), in front of this code: its size counts here
            Assembler guardCode = new Assembler();
            guard.emit(guardCode, filter, skip);
            Entry successorKey = relevantTo(state.entry, filter + 1);
            Map<Exit, String> exitLabels = new IdentityHashMap<>();
            List<Exit> exits = c.exits();
            Entry[] exitKeys = new Entry[exits.size()];
            for (int e = 0; e < exits.size(); e++) {
                exitKeys[e] = relevantTo(exits.get(e).state(), filter + 1);
                exitLabels.put(exits.get(e), exitKeys[e].equals(successorKey) ? next : state.label + "_x" + e);
            }
            FragmentLayout here = layout.withLabels(state.label + "_", matchLabel.apply(filter), end.label, next);
            EbpfEmitter.Emitted emitted = EbpfEmitter.emit(c, here, block, exitLabels::get);
            if (!plain) {
                State compiled = specialised + emitted.instructions() > copyBudget(filter)
                        ? mostSpecific(filter, state.entry, true)
                        : null;
                if (compiled != null) {
                    // enough copies of this filter: run the one that assumes the most of what this state
                    // guarantees (the plain one, which assumes nothing, at worst)
                    state.forward = compiled;
                    return;
                }
                specialised += emitted.instructions();
            }
            state.successor = request(filter + 1, state.entry, successorKey);
            state.successor.aliases.add(next);
            for (int e = 0; e < exits.size(); e++) {
                String label = exitLabels.get(exits.get(e));
                if (!label.equals(next) && emitted.targets().contains(label)) {
                    request(filter + 1, exits.get(e).state(), exitKeys[e])
                            .aliases
                            .add(label);
                }
            }
            if (emitted.reachesMatch()) {
                matches.set(filter);
            }
            state.block = block;
            slots += guardCode.slot() + block.slot() + 1;
        }

        /**
         * The state of filter {@code filter} for {@code entry}. States of a filter are all made
         * before any is compiled (only filter − 1 asks for them), so a new entry may still join an
         * existing state, which then assumes only what both guarantee ({@link Entry#meet}): it
         * joins the state that knows the same facts (what registers hold matters less); past
         * {@link #MAX_STATES_PER_FILTER} states it takes the state that assumes the most of what
         * it guarantees, leaving the others as they are (at worst the plain one).
         */
        private State request(int filter, Entry entry) {
            return request(filter, entry, relevantTo(entry, filter));
        }

        /** {@link #request(int, Entry)} for a caller that has {@code kept}, what of {@code entry} is relevant to {@code filter}, at hand. */
        private State request(int filter, Entry entry, Entry kept) {
            if (filter >= flows.size()) {
                return end;
            }
            Key asked = new Key(filter, kept);
            State known = states.get(asked);
            if (known != null) {
                assert known == end || known.entry.isImpliedBy(entry) : known.label + " assumes more than " + entry;
                return known;
            }
            // Filters the entry's facts rule out run nothing: skip them, so that paths decided for
            // a while (a TCP packet past UDP rules, say) take no state of those filters at all. At
            // most HORIZON at a time: a path decided for good (not IP at all) then takes one state
            // every HORIZON filters, shared by all the paths that know as much. Where it skips to
            // and what it knows there come from the key alone, not from all the entry knows: every
            // later entry with the same key gets this answer without asking, and must not arrive
            // assuming facts of a far filter that only this entry knew.
            int at = filter;
            if (!kept.equals(Entry.NONE)) {
                while (at - filter < HORIZON && at < flows.size() && rulesOut(at, kept.facts())) {
                    at++;
                }
            }
            State state;
            if (at >= flows.size()) {
                state = end;
            } else {
                Key key = at == filter ? asked : new Key(at, relevantTo(kept, at));
                State later = states.get(key);
                state = later != null ? later : stateFor(at, key);
            }
            assert state == end || state.entry.isImpliedBy(entry) : state.label + " assumes more than " + entry;
            states.put(asked, state);
            return state;
        }

        /** The state of {@code key}, which its filter's facts do not rule out: an existing one it joins, or a new one. */
        private State stateFor(int filter, Key key) {
            List<State> copiesOfFilter = byFilter.computeIfAbsent(filter, f -> new ArrayList<>());
            State state = null;
            if (!key.entry().equals(Entry.NONE)) {
                for (State candidate : copiesOfFilter) {
                    if (!candidate.isPlain()
                            && candidate.entry.facts().equals(key.entry().facts())) {
                        candidate.entry = candidate.entry.meet(key.entry());
                        states.put(new Key(filter, candidate.entry), candidate);
                        state = candidate;
                        break;
                    }
                }
                if (state == null && copiesOfFilter.size() >= MAX_STATES_PER_FILTER) {
                    state = mostSpecific(filter, key.entry(), false);
                }
            }
            if (state == null) {
                // the plain copy is "<prefix>f<filter>", the others "<prefix>f<filter>c<n>"
                String label = layout.labelPrefix() + "f" + filter
                        + (key.entry().equals(Entry.NONE) ? "" : "c" + copiesOfFilter.size());
                state = new State(filter, key.entry(), label);
                copiesOfFilter.add(state);
                created.add(state);
            }
            states.put(key, state);
            return state;
        }

        /**
         * The state of {@code filter} (only a compiled one with {@code compiled}) that assumes the
         * most of what {@code entry} guarantees — at worst the plain one — or null.
         */
        private State mostSpecific(int filter, Entry entry, boolean compiled) {
            State best = null;
            for (State candidate : byFilter.getOrDefault(filter, List.of())) {
                if ((!compiled || candidate.block != null)
                        && candidate.entry.isImpliedBy(entry)
                        && (best == null || candidate.entry.weight() > best.entry.weight())) {
                    best = candidate;
                }
            }
            return best;
        }

        /** Where the code of {@code state} is: itself, a state it continues with, or the end. */
        private State resolve(State state) {
            State s = state;
            while (s != end && s.block == null) {
                s = s.forward != null ? s.forward : end; // not compiled: beyond this segment
            }
            // Runs of empty states (a lane where every later filter is decided) are long: remember
            // where each leads, so that resolving all of them stays linear.
            for (State t = state; t != s && t != end && t.block == null; ) {
                State next = t.forward != null ? t.forward : end;
                t.forward = s;
                t = next;
            }
            return s;
        }

        /**
         * Appends the code, then the caller defines the end label right after it. Copies of filters
         * beyond the last one added continue at the end.
         */
        public void emitTo(Assembler asm) {
            emitTo(asm, guard);
        }

        /**
         * {@link #emitTo(Assembler)} with each copy behind a guard {@code other} writes instead of
         * the segment's own: the same compiled copies, in the same places, with other guards (a
         * bound check added, say). It may be called more than once, each time appending the code
         * again (for an assembler of its own: the labels are the segment's).
         */
        void emitTo(Assembler asm, Guard other) {
            if (placement == null) {
                place();
            }
            for (int i = 0; i < placement.size(); i++) {
                State s = placement.get(i);
                for (String name : names.getOrDefault(s, List.of())) {
                    asm.label(name);
                }
                String skip = s.label + "_skip";
                other.emit(asm, s.filter, skip);
                asm.append(s.block);
                asm.label(skip);
                State after = resolve(s.successor);
                State placedNext = i + 1 < placement.size() ? placement.get(i + 1) : end;
                if (after != placedNext) {
                    asm.ja(after == end ? end.label : after.label);
                }
            }
            for (String name : names.getOrDefault(end, List.of())) {
                if (!name.equals(end.label)) {
                    asm.label(name);
                }
            }
        }

        /** Decides where each compiled copy goes and which labels name it; no filter may be added after. */
        private void place() {
            names = new IdentityHashMap<>();
            names.put(end, new ArrayList<>(end.aliases));
            for (State state : created) {
                List<String> here = names.computeIfAbsent(resolve(state), st -> new ArrayList<>());
                here.add(state.label);
                here.addAll(state.aliases);
            }
            placement = new ArrayList<>();
            for (State start : created) {
                for (State st = start; st != end && st.block != null && !st.placed; st = resolve(st.successor)) {
                    st.placed = true;
                    placement.add(st);
                }
            }
        }
    }
}

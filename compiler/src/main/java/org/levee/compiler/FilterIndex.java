package org.levee.compiler;

import static org.levee.cbpf.CbpfInstruction.JEQ;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.Knowledge;
import org.levee.compiler.flow.MatchPaths;
import org.levee.compiler.flow.Predicate;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.ValueCode;
import org.levee.ebpf.asm.AluOp;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.JumpOp;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * An ordered list of filters compiled so that a packet's cost does not grow with their number:
 * the filters are found by the value that tells them apart — a port, an address — through a
 * search tree in code, and the program jumps to the match label of the first enabled filter that
 * matches, as a {@link FilterChain} does.
 *
 * <p><b>Keys.</b> Every way a filter can match ({@link MatchPaths}) makes tests, and a taken
 * {@code jeq #k} on a value v pins it: a packet that matches along that path has v = k. Each path
 * is keyed by the pinned value that picks the fewest paths of the whole list (a UDP destination
 * port rather than the EtherType); a filter whose every path is keyed goes into the <em>class</em>
 * of each key's value, in the bucket of its constant (a filter matching {@code port 80} is in the
 * source-port and the destination-port classes). Classes with fewer than a minimum of filters are
 * dissolved; filters with a path that has no key, or whose class went, stay in the <em>rest</em>,
 * an ordinary {@link FilterChain}.
 *
 * <p><b>First match.</b> A packet can match only the filters of its buckets (one per class, found
 * by the class's key) and the rest. The code runs the rest, then each class, each
 * finding its first enabled match among the filters before the best one found so far (a word on
 * the stack; each filter of a bucket starts by comparing its number with it), and then jumps to the
 * best: the first enabled filter that matches, whatever the order of the filters.
 *
 * <p><b>A class</b> is a {@link Prelude} (the tests all its filters make, then the key), a binary
 * search tree over the keys of its buckets, and per bucket a compare with the bucket's key and a
 * {@link FilterChain} of the bucket's filters, which starts knowing the prelude's tests and the
 * key: {@code udp and dst port N} behind a destination prefix then has nothing left to test.
 *
 * <p><b>Disabled filters leave nothing.</b> Besides each filter's guard, the code has guards on
 * <em>groups</em>: "some filter of buckets a..b-1 of group g is enabled", which the caller decides
 * from the filters' constants. Each class, each side of each tree node and the jump to the best
 * match sit behind one; a tree node with one side disabled is skipped (its compare only routes:
 * every bucket checks its own key), so the kernel keeps a tree over the enabled buckets only, and
 * with every filter disabled nothing is left.
 *
 * <p><b>Layout.</b> A section's main line — a few guarded jumps — stays where the caller puts
 * it; the rest, the classes and the jump to the best match are bodies placed out of line (after
 * the program's exits), each jumping back with {@code gotol}. Conditional jumps stay within
 * 16-bit range: a tree node whose left side is larger goes through a {@code gotol}, a bucket
 * stays below {@link #MAX_BUCKET_SLOTS}, and hit blocks are written next to the bucket that
 * jumps to them, so a program may be much larger than 32,767 slots.
 *
 * <p>Use: {@link #of} the whole list, then one {@link Section} per program: {@link Section#add}
 * filters while {@link Section#fits}, then {@link Section#emit}.
 */
public final class FilterIndex {
    /** Fewest filters a class is worth its prelude and tree for. */
    public static final int DEFAULT_MIN_CLASS_SIZE = 64;
    /** Largest bucket (slots of its chain and its hit blocks): its jumps must stay within 16-bit range. */
    public static final int MAX_BUCKET_SLOTS = 30_000;
    /** A tree node jumps over its left side with a conditional jump up to this many slots, else through a gotol. */
    private static final int NEAR = 32_000;
    /** Most matching paths of a filter worth keying; past this (a DNS name walk, say) it stays in the rest. */
    private static final int MAX_PATHS = 16;

    private static final int PATH_BUDGET = 4096;
    /** Slots a keyed filter adds besides its copy and hit: a tree node (two guards, a compare), the bucket's compare, guard, jumps. */
    private static final int KEYED_OVERHEAD = 7;
    /**
     * Slots a keyed filter adds besides its hit when its class is not the only part of its
     * section: the bound check, the stub that records it, and a node of the jump to the best match.
     */
    private static final int SHARED_OVERHEAD = 6;
    /** Members of a class compiled for its bucket to estimate the size of the others. */
    private static final int SAMPLES = 8;
    /** The value of the best-match word while nothing matched. */
    private static final int NONE = -1;

    /** The code the caller writes around the index's. */
    public interface Code {
        /** The guard in front of each copy of {@code filter}: see {@link FilterChain.Guard}. */
        void guard(Assembler block, int filter, String skipLabel);

        /**
         * Code that jumps to {@code skipLabel} (forward) unless some filter of buckets
         * {@code from..to-1} of group {@code group} (see {@link Section#groups}) is enabled, and
         * otherwise falls through; it must change no register.
         */
        void groupGuard(Assembler block, int group, int from, int to, String skipLabel);

        /**
         * A match of {@code filter}: {@code label}, then code that never falls through and jumps
         * only to its own labels or, with {@code gotol}, anywhere (it is placed far from the rest
         * of the program).
         */
        void hit(Assembler block, int filter, String label);

        /** Slots of {@link #hit} for {@code filter}. */
        int hitSlots(int filter);

        /**
         * What {@link #guard} writes for {@code filter} depends on, besides the label it is given:
         * two filters with equal keys get the same guard (the data plane's: the rule's constant).
         * A bucket whose filters all have a key is compiled once and its code reused by later
         * sections and compiles (see {@link CompilationCache}); {@code null}, the default, means
         * the guard depends on the filter's number, and the bucket is compiled every time. (Hit
         * blocks are written anew every time: they cost no compile.)
         */
        default Object codeKey(int filter) {
            return null;
        }

        /**
         * Code that sets the layout's packet start and end registers again (from the program's
         * context), changing nothing else. Each part of a section starts with it, so that the
         * packet's bounds that different buckets proved do not keep apart, in the verifier, the
         * states in which the next part starts (it would verify the next part once per bound).
         */
        void packetPointers(Assembler block);
    }

    /**
     * Registers, stack and labels of a section.
     *
     * @param fragment   the filters' registers and scratch memory (its labels are not used)
     * @param best       a register the index may use besides the fragment's (it holds the best
     *                   match so far); hit code may overwrite it
     * @param bestOffset frame-pointer offset of a 4-byte stack word for the best match so far
     * @param prefix     prefix of every label of the section, unique in the program
     *
     * <p>The word sits in the upper half of an 8-byte stack slot (offset ≡ 4 mod 8), where the
     * verifier keeps no value for a 4-byte store (it tracks only stores at the start of a slot):
     * it does not follow the best match through the code, which would keep apart the states of
     * every filter number and explode the verification.
     */
    public record Layout(FragmentLayout fragment, Register best, int bestOffset, String prefix) {
        public Layout {
            Objects.requireNonNull(fragment, "fragment");
            Objects.requireNonNull(best, "best");
            Objects.requireNonNull(prefix, "prefix");
            if (Math.floorMod(bestOffset, 8) != 4 || bestOffset >= 0 || bestOffset < -512) {
                throw new IllegalArgumentException(
                        "best-match word at " + bestOffset + ": a 4-byte word in the upper half of an"
                                + " 8-byte slot (offset ≡ 4 mod 8) within the 512-byte stack is needed");
            }
        }
    }

    /**
     * Ranges of buckets the index guards, as {@link Code#groupGuard} names them.
     *
     * @param buckets each bucket's filters
     */
    public record Group(List<List<Integer>> buckets) {
        public Group {
            buckets = buckets.stream().map(List::copyOf).toList();
        }
    }

    /** Where a bucket's code jumps when no filter of it is the first match: the end of its part, named when placed. */
    private static final String BACK = "@back";
    /** Where a bucket's code jumps when member i matches: {@code MATCH + i}, its hit block or stub, written after the code. */
    private static final String MATCH = "@m";

    /**
     * The code of one bucket but its hit blocks as a template (see {@link Section#bucketCode}).
     *
     * @param code    the template: labels local, member numbers parameters
     * @param guarded the members (positions in the bucket) some copy guards
     * @param matched the members some path matches (each has a hit block or a stub after the code)
     * @param slots   slots of the code
     */
    private record BucketCode(Assembler code, BitSet guarded, BitSet matched, int slots) {}

    /**
     * A bucket's chain, compiled: what the cache keeps of it by its state (see
     * {@link Section#bucketCode}); compared by identity.
     */
    private static final class CompiledBucket {
        final FilterChain.Segment segment;
        /** Its key by what its chain keeps of its entry. */
        final BucketKey kept;

        final BitSet matched;

        CompiledBucket(FilterChain.Segment segment, BucketKey kept, BitSet matched) {
            this.segment = segment;
            this.kept = kept;
            this.matched = matched;
        }
    }

    /** What a bucket's code is written from, besides its compiled chain (see {@link Section#bucketCode}). */
    private record TemplateKey(CompiledBucket compiled, int constant, List<Object> codeKeys, boolean bounded) {}

    /**
     * What a bucket's compiled chain depends on (see {@link Section#bucketCode}): the state it
     * starts in — the class's interned {@link #bucketBase} with the bucket's key (the base
     * compared by identity), or what the chain keeps of that state (compared by value) — its
     * filters (by identity), and the layout.
     */
    private static final class BucketKey {
        private final Entry state;
        private final boolean interned;
        private final int constant;
        private final FilterChain.Filter[] members;
        private final Layout layout;
        private final int hash;

        BucketKey(Entry state, boolean interned, int constant, FilterChain.Filter[] members, Layout layout) {
            this.state = state;
            this.interned = interned;
            this.constant = constant;
            this.members = members;
            this.layout = layout;
            int h = interned ? System.identityHashCode(state) : state.hashCode();
            for (FilterChain.Filter member : members) {
                h = 31 * h + System.identityHashCode(member);
            }
            this.hash = (31 * h + constant) * 2 + (interned ? 1 : 0);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof BucketKey k)
                    || k.hash != hash
                    || k.interned != interned
                    || k.constant != constant
                    || k.members.length != members.length) {
                return false;
            }
            for (int i = 0; i < members.length; i++) {
                if (k.members[i] != members[i]) {
                    return false;
                }
            }
            return (interned ? k.state == state : k.state.equals(state))
                    && (k.layout == layout || k.layout.equals(layout));
        }
    }

    /** A leaf of a search tree: its size, and what appends its code where the tree places it. */
    private record Leaf(int slots, java.util.function.Consumer<Assembler> appendTo) {}

    /** A filter's place in a class: the bucket of {@code key}. */
    private record Placement(int keyClass, int key) {}

    /**
     * A value filters are found by, with its prelude, and the slots a member's copy takes in its
     * bucket on average (over a few members): what a section adds per filter.
     */
    private record KeyClass(Value key, Prelude prelude, int copySlots, Entry bucketBase) {}

    private final List<FilterChain.Filter> filters;
    private final CompilationCache cache;
    private final List<KeyClass> classes;
    /** Per filter, its buckets; empty for a filter of the rest. */
    private final List<List<Placement>> placements;
    /** The filters of the rest, in order, and each filter's number there (-1: keyed). */
    private final List<Integer> restFilters = new ArrayList<>();

    private final int[] restNumber;
    private final FilterChain rest;

    private FilterIndex(List<FilterChain.Filter> filters, int minClassSize, CompilationCache cache) {
        this.filters = filters;
        this.cache = cache;
        int n = filters.size();
        List<List<MatchPaths.Path>> paths = new ArrayList<>(n);
        for (FilterChain.Filter filter : filters) {
            paths.add(filter.pathFacts().paths());
        }
        // how many paths of the whole list pin each value, and each value to each constant
        Map<Value, Integer> pathsPinning = new HashMap<>();
        Map<Value, Map<Integer, Integer>> pathsPinningTo = new HashMap<>();
        for (FilterChain.Filter filter : filters) {
            if (filter.pathFacts().paths() == null) {
                continue;
            }
            for (Map<Value, Integer> pins : filter.pathFacts().keys()) {
                pins.forEach((value, constant) -> {
                    pathsPinning.merge(value, 1, Integer::sum);
                    pathsPinningTo.computeIfAbsent(value, v -> new HashMap<>()).merge(constant, 1, Integer::sum);
                });
            }
        }
        // each path's key: the pin that picks the fewest paths, then the value most paths pin
        List<List<Map.Entry<Value, Integer>>> chosen = new ArrayList<>(n);
        List<List<MatchPaths.Path>> keyedPaths = new ArrayList<>(n);
        for (int f = 0; f < n; f++) {
            List<MatchPaths.Path> filterPaths = paths.get(f);
            List<Map.Entry<Value, Integer>> keys = new ArrayList<>();
            if (filterPaths == null || filterPaths.isEmpty()) {
                chosen.add(null);
                keyedPaths.add(null);
                continue;
            }
            for (Map<Value, Integer> pins : filters.get(f).pathFacts().keys()) {
                Map.Entry<Value, Integer> best = null;
                for (Map.Entry<Value, Integer> pin : pins.entrySet()) {
                    if (best == null || isBetterKey(pin, best, pathsPinning, pathsPinningTo)) {
                        best = pin;
                    }
                }
                if (best == null) {
                    keys = null;
                    break;
                }
                keys.add(best);
            }
            chosen.add(keys);
            keyedPaths.add(keys == null ? null : filterPaths);
        }
        // classes too small for their prelude go, and with them every filter that has a path there
        Map<Value, KeyClass> kept = new LinkedHashMap<>();
        while (true) {
            Map<Value, Integer> members = new LinkedHashMap<>();
            for (List<Map.Entry<Value, Integer>> keys : chosen) {
                if (keys != null) {
                    keys.stream().map(Map.Entry::getKey).distinct().forEach(v -> members.merge(v, 1, Integer::sum));
                }
            }
            Set<Value> dissolved = new HashSet<>();
            members.forEach((value, count) -> {
                if (count < minClassSize) {
                    dissolved.add(value);
                }
            });
            kept.clear();
            if (dissolved.isEmpty()) {
                for (Value value : members.keySet()) {
                    Optional<Prelude> prelude = prelude(value, chosen, keyedPaths);
                    if (prelude.isEmpty()) {
                        dissolved.add(value);
                    } else {
                        kept.put(
                                value,
                                new KeyClass(
                                        value,
                                        prelude.get(),
                                        copySlots(value, prelude.get(), chosen),
                                        bucketBase(value, prelude.get())));
                    }
                }
            }
            if (dissolved.isEmpty()) {
                break;
            }
            for (int f = 0; f < n; f++) {
                List<Map.Entry<Value, Integer>> keys = chosen.get(f);
                if (keys != null && keys.stream().anyMatch(k -> dissolved.contains(k.getKey()))) {
                    chosen.set(f, null);
                }
            }
        }
        this.classes = List.copyOf(kept.values());
        Map<Value, Integer> classNumber = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            classNumber.put(classes.get(c).key(), c);
        }
        this.placements = new ArrayList<>(n);
        this.restNumber = new int[n];
        List<FilterChain.Filter> restChain = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            List<Map.Entry<Value, Integer>> keys = chosen.get(f);
            if (keys == null) {
                restNumber[f] = restFilters.size();
                restFilters.add(f);
                restChain.add(filters.get(f));
                placements.add(List.of());
            } else {
                restNumber[f] = -1;
                placements.add(keys.stream()
                        .map(k -> new Placement(classNumber.get(k.getKey()), k.getValue()))
                        .distinct()
                        .toList());
            }
        }
        this.rest = new FilterChain(restChain);
    }

    /**
     * What an index needs to know of one filter, worked out once per filter
     * ({@link FilterChain.Filter#pathFacts}): its matching paths ({@code null} when it has too
     * many), the values each path pins that code can compute ({@link #keys}), and what holds on
     * each path, asked for when a class's prelude is made.
     */
    static final class PathFacts {
        private final List<MatchPaths.Path> paths;
        private final List<Map<Value, Integer>> keys;
        private final Knowledge[] knowledge;

        private PathFacts(List<MatchPaths.Path> paths) {
            this.paths = paths;
            this.keys = paths == null
                    ? List.of()
                    : paths.stream().map(FilterIndex::keys).toList();
            this.knowledge = new Knowledge[keys.size()];
        }

        static PathFacts of(Flow flow) {
            return new PathFacts(MatchPaths.of(flow, MAX_PATHS, PATH_BUDGET).orElse(null));
        }

        List<MatchPaths.Path> paths() {
            return paths;
        }

        List<Map<Value, Integer>> keys() {
            return keys;
        }

        Knowledge knowledge(int path) {
            if (knowledge[path] == null) {
                knowledge[path] = paths.get(path).knowledge();
            }
            return knowledge[path];
        }
    }

    /** What the slots of a class's average member depend on: its prelude and the members compiled. */
    private record CopySlotsKey(Prelude prelude, List<FilterChain.Filter> members, List<Integer> constants) {}

    /** The average slots of a few members of the class of {@code key} compiled for their bucket. */
    private int copySlots(Value key, Prelude prelude, List<List<Map.Entry<Value, Integer>>> chosen) {
        List<FilterChain.Filter> sampled = new ArrayList<>(SAMPLES);
        List<Integer> constants = new ArrayList<>(SAMPLES);
        for (int f = 0; f < chosen.size() && sampled.size() < SAMPLES; f++) {
            List<Map.Entry<Value, Integer>> keys = chosen.get(f);
            Optional<Map.Entry<Value, Integer>> pin = keys == null
                    ? Optional.empty()
                    : keys.stream().filter(k -> k.getKey().equals(key)).findFirst();
            if (pin.isPresent()) {
                sampled.add(filters.get(f));
                constants.add(pin.get().getValue());
            }
        }
        return (Integer) cache.classes.get(
                new CopySlotsKey(prelude, List.copyOf(sampled), List.copyOf(constants)), k -> {
                    int total = 0;
                    FragmentLayout layout = FragmentLayout.standard("s_", "match", "nomatch");
                    for (int i = 0; i < sampled.size(); i++) {
                        FilterChain.Filter filter = sampled.get(i);
                        Compilation c = CbpfCompiler.compile(
                                filter.sourceSize, filter.flow, bucketEntry(prelude, key, constants.get(i)), false);
                        total += EbpfEmitter.emit(c, layout, new Assembler()).instructions();
                    }
                    return sampled.isEmpty() ? 0 : (total + sampled.size() - 1) / sampled.size();
                });
    }

    /**
     * What the buckets of the class of {@code key} start knowing besides their key's value: the
     * prelude's tree state without its statements of the key against constants ({@code key > max}),
     * which the key's value decides ({@link Knowledge#retain} drops them from a bucket's state
     * whenever a filter of the bucket can use the key, and else they are of no use to the bucket:
     * the state a bucket keeps is the same with them and without them). So a class whose largest key
     * changed (a rule added with a new largest port) starts its buckets in the same state, and
     * their code is reused. Interned in the cache: one instance per state, compared by identity in
     * the keys of bucket code.
     */
    private Entry bucketBase(Value key, Prelude prelude) {
        Entry tree = prelude.tree();
        Knowledge facts = tree.facts().retain(new Knowledge.Relevance() {
            @Override
            public boolean tests(Predicate p) {
                return !(p.a().equals(key) && p.b() instanceof Value.Const);
            }

            @Override
            public boolean uses(Value v) {
                return true;
            }

            @Override
            public boolean loads() {
                return true;
            }
        });
        Entry base = new Entry(facts, tree.a(), tree.aRawWidth(), tree.x(), tree.packetBytes(), tree.pointerBytes());
        return (Entry) cache.classes.get(new BucketBaseKey(base), k -> base);
    }

    /** A bucket base by value (an Entry key of its own kind in the cache's map). */
    private record BucketBaseKey(Entry base) {}

    /** What holds when the bucket of {@code constant} starts: {@link #bucketBase}, the key in A and equal to it. */
    private static Entry bucketStart(Entry base, Value key, int constant) {
        return new Entry(
                base.facts().with(new Predicate(JEQ, key, new Value.Const(constant)), true),
                base.a(),
                base.aRawWidth(),
                base.x(),
                base.packetBytes(),
                base.pointerBytes());
    }

    /** What holds when the bucket of {@code constant} starts: the prelude's tests, the key in A and equal to it. */
    private static Entry bucketEntry(Prelude prelude, Value key, int constant) {
        Entry tree = prelude.tree();
        return new Entry(
                tree.facts().with(new Predicate(JEQ, key, new Value.Const(constant)), true),
                tree.a(),
                tree.aRawWidth(),
                tree.x(),
                tree.packetBytes(),
                tree.pointerBytes());
    }

    /** The values a path pins that code can compute, with their constants. */
    private static Map<Value, Integer> keys(MatchPaths.Path path) {
        Map<Value, Integer> keys = new LinkedHashMap<>();
        path.pins().forEach((value, constant) -> {
            if (!(value instanceof Value.Const) && ValueCode.supports(value)) {
                keys.put(value, constant);
            }
        });
        return keys;
    }

    private static boolean isBetterKey(
            Map.Entry<Value, Integer> pin,
            Map.Entry<Value, Integer> best,
            Map<Value, Integer> pathsPinning,
            Map<Value, Map<Integer, Integer>> pathsPinningTo) {
        int picks = pathsPinningTo.get(pin.getKey()).get(pin.getValue());
        int bestPicks = pathsPinningTo.get(best.getKey()).get(best.getValue());
        if (picks != bestPicks) {
            return picks < bestPicks;
        }
        return pathsPinning.get(pin.getKey()) > pathsPinning.get(best.getKey());
    }

    /**
     * The prelude of the class of {@code key}: the tests of its first path that every keyed path
     * of the class passes the same way, in that path's order, then the key.
     */
    private Optional<Prelude> prelude(
            Value key, List<List<Map.Entry<Value, Integer>>> chosen, List<List<MatchPaths.Path>> keyedPaths) {
        List<Knowledge> others = new ArrayList<>();
        MatchPaths.Path first = null;
        int max = 0;
        for (int f = 0; f < chosen.size(); f++) {
            List<Map.Entry<Value, Integer>> keys = chosen.get(f);
            if (keys == null) {
                continue;
            }
            for (int p = 0; p < keys.size(); p++) {
                if (!keys.get(p).getKey().equals(key)) {
                    continue;
                }
                MatchPaths.Path path = keyedPaths.get(f).get(p);
                if (first == null) {
                    first = path;
                } else {
                    others.add(filters.get(f).pathFacts().knowledge(p));
                }
                max = Integer.compareUnsigned(keys.get(p).getValue(), max) > 0
                        ? keys.get(p).getValue()
                        : max;
            }
        }
        List<MatchPaths.Test> facts = new ArrayList<>();
        Set<Predicate> seen = new HashSet<>();
        for (MatchPaths.Test test : Objects.requireNonNull(first).tests()) {
            Predicate p = test.predicate();
            if (!p.isDefinite()
                    || !(p.b() instanceof Value.Const)
                    || p.a() instanceof Value.Const
                    || p.a().equals(key)
                    || !ValueCode.supports(p.a())
                    || !seen.add(p)) {
                continue;
            }
            boolean everyPath = true;
            for (Knowledge other : others) {
                if (!Boolean.valueOf(test.outcome()).equals(other.decide(p))) {
                    everyPath = false;
                    break;
                }
            }
            if (everyPath) {
                facts.add(test);
            }
        }
        PreludeKey preludeKey = new PreludeKey(key, List.copyOf(facts), max);
        @SuppressWarnings("unchecked")
        Optional<Prelude> prelude = (Optional<Prelude>)
                cache.classes.get(preludeKey, k -> Prelude.of(preludeKey.key(), preludeKey.facts(), preludeKey.max()));
        return prelude;
    }

    /** What a class's prelude is made of. */
    private record PreludeKey(Value key, List<MatchPaths.Test> facts, int max) {}

    /** The index of {@code filters}, in order, with classes of at least {@link #DEFAULT_MIN_CLASS_SIZE} filters. */
    public static FilterIndex of(List<List<CbpfProgram>> filters) {
        return of(filters, DEFAULT_MIN_CLASS_SIZE);
    }

    /**
     * The index of {@code filters}, in order; each filter is the conjunction of its programs.
     *
     * @param minClassSize fewest filters of a class (1 indexes every value any filter can be found by)
     * @throws org.levee.cbpf.CbpfException naming the instruction of a program the compiler cannot take
     */
    public static FilterIndex of(List<List<CbpfProgram>> filters, int minClassSize) {
        if (minClassSize < 1) {
            throw new IllegalArgumentException("minClassSize " + minClassSize + " is below 1");
        }
        return of(filters, minClassSize, new CompilationCache());
    }

    /**
     * {@link #of(List, int)}, taking from {@code cache} what earlier compiles made (each filter
     * made ready, each bucket's code) and leaving there what this one makes: see
     * {@link CompilationCache}. Equal to an index made without a cache, byte for byte.
     */
    public static FilterIndex of(List<List<CbpfProgram>> filters, int minClassSize, CompilationCache cache) {
        if (minClassSize < 1) {
            throw new IllegalArgumentException("minClassSize " + minClassSize + " is below 1");
        }
        return new FilterIndex(filters.stream().map(cache::filter).toList(), minClassSize, cache);
    }

    /** The number of filters. */
    public int size() {
        return filters.size();
    }

    /** Whether some filter is found by a key (else the index is {@link #rest()}, all the filters in order). */
    public boolean hasClasses() {
        return !classes.isEmpty();
    }

    /** The number of classes (values filters are found by). */
    public int classes() {
        return classes.size();
    }

    /** Whether {@code filter} is found by a key (else it is in the rest). */
    public boolean isKeyed(int filter) {
        return restNumber[filter] < 0;
    }

    /** The filters that are not found by a key, as a chain: without classes, all of them. */
    public FilterChain rest() {
        return rest;
    }

    /**
     * A new section of filters {@code first, first + 1, …}, for a program of its own (it starts
     * knowing nothing).
     */
    public Section section(int first, Layout layout, Code code) {
        if (first < 0 || first > filters.size()) {
            throw new IllegalArgumentException("section start " + first + " is outside 0.." + filters.size());
        }
        return new Section(first, layout, code);
    }

    /** Filters of one program: see {@link FilterIndex}. */
    public final class Section {
        private final int first;
        private final Layout layout;
        private final Code code;
        private int next;
        private FilterChain.Segment restSegment;
        private int restHitSlots;
        /** Per class, its buckets in this section: key (unsigned order) to filters. */
        private final Map<Integer, TreeMap<Integer, List<Integer>>> buckets = new TreeMap<>();

        private final Map<Placement, Integer> bucketSlots = new HashMap<>();
        private int keyedSlots;
        /** Filters some guard of this section names: each must have one (its patch site). */
        private final BitSet guarded = new BitSet();

        private List<Group> groups;
        private int emittedSlots = -1;
        /** Some bucket or the rest came out beyond jump range. */
        private boolean oversized;
        /** Stubs written so far: a part with some needs its store of the best match. */
        private int stubCount;

        private Section(int first, Layout layout, Code code) {
            this.first = first;
            this.next = first;
            this.layout = layout;
            this.code = code;
        }

        /** The index of the next filter {@link #add} would take. */
        public int nextFilter() {
            return next;
        }

        /** Filters added so far. */
        public int filters() {
            return next - first;
        }

        /** A bound on the slots of the rest's body so far (it has to stay within jump range). */
        public int restSlots() {
            return (restSegment == null ? 0 : restSegment.slots()) + restHitSlots;
        }

        /** An estimate of the slots of everything so far. */
        public int slots() {
            return restSlots() + keyedSlots;
        }

        /**
         * Whether the next filter still fits: the rest's body within {@code restBudget} slots at
         * most (its jumps need 16-bit range), buckets within {@link #MAX_BUCKET_SLOTS}, and the
         * estimate of the whole within {@code totalBudget}.
         */
        public boolean fits(int restBudget, int totalBudget) {
            int f = next;
            if (f >= filters.size()) {
                return false;
            }
            if (!isKeyed(f)) {
                int more = rest.slotsAtMost(restNumber[f]) + code.hitSlots(f) + 2;
                return restSlots() + more <= restBudget && slots() + more <= totalBudget;
            }
            int more = 0;
            for (Placement placement : placements.get(f)) {
                int add = keyedSlots(f, placement);
                if (bucketSlots.getOrDefault(placement, 0) + add > MAX_BUCKET_SLOTS) {
                    return false;
                }
                more += add;
            }
            return slots() + more <= totalBudget;
        }

        /**
         * An estimate of what a keyed filter adds to a bucket: a copy as large as its class's
         * average, its hit block and the tree's share. A bucket's later filters may take more
         * copies; what is emitted is checked against the limits ({@link #withinLimits}).
         */
        private int keyedSlots(int f, Placement placement) {
            int alone = classes.get(placement.keyClass()).copySlots() + KEYED_OVERHEAD + code.hitSlots(f);
            boolean shared = restSegment != null
                    || buckets.size() > 1
                    || !buckets.isEmpty() && !buckets.containsKey(placement.keyClass());
            return alone + (shared ? SHARED_OVERHEAD + code.hitSlots(f) : 0);
        }

        /** Adds the next filter. */
        public void add() {
            if (next >= filters.size()) {
                throw new IllegalStateException("all " + filters.size() + " filters are in sections already");
            }
            if (groups != null) {
                throw new IllegalStateException("the section is emitted already");
            }
            int f = next;
            if (isKeyed(f)) {
                for (Placement placement : placements.get(f)) {
                    List<Integer> bucket = buckets.computeIfAbsent(
                                    placement.keyClass(), c -> new TreeMap<>(Integer::compareUnsigned))
                            .computeIfAbsent(placement.key(), k -> new ArrayList<>());
                    int add = keyedSlots(f, placement);
                    bucket.add(f);
                    bucketSlots.merge(placement, add, Integer::sum);
                    keyedSlots += add;
                }
            } else {
                if (restSegment == null) {
                    restSegment = rest.segment(
                            restNumber[f],
                            layout.fragment().withLabels(layout.prefix() + "r_", "", "", null),
                            (block, i, skip) -> guard(block, restFilters.get(i), skip, null),
                            i -> layout.prefix() + "rm" + restFilters.get(i),
                            layout.prefix() + "r_end");
                }
                restSegment.add();
                restHitSlots += code.hitSlots(f) + 2;
            }
            next++;
        }

        /**
         * The guard of a copy of {@code filter}; with {@code bound}, then the bucket is left there
         * when the best match so far is at or before the filter: neither it nor the bucket's later
         * filters can be the first match. (To the end, not to the next copy: there the verifier
         * would know the best is small and decide the next copy's compare, which costs a deletion.)
         */
        private void guard(Assembler block, int filter, String skip, String bound) {
            guarded.set(filter);
            code.guard(block, filter, skip);
            if (bound != null) {
                block.jump(JumpOp.JLE, layout.best(), filter, bound);
            }
        }

        /** Whether some filter of the section is found by a key. */
        public boolean hasClasses() {
            return !buckets.isEmpty();
        }

        /**
         * The groups {@link Code#groupGuard} names, after {@link #emit}: group 0 has one bucket per
         * part of the section (the rest, then each class), then one group per class (a bucket per
         * key), and last, when there is a jump to the best match, one bucket per filter it can go to.
         */
        public List<Group> groups() {
            if (groups == null) {
                throw new IllegalStateException("the section is not emitted yet");
            }
            return groups;
        }

        /** Slots the section emitted (main line and bodies), after {@link #emit}. */
        public int emittedSlots() {
            if (emittedSlots < 0) {
                throw new IllegalStateException("the section is not emitted yet");
            }
            return emittedSlots;
        }

        /**
         * After {@link #emit}: whether the code stays within {@code totalBudget} slots and every
         * bucket and the rest within jump range. When not, the caller makes the section again
         * with fewer filters (the estimates of {@link #fits} were short: a bucket of many filters
         * took more copies than thought).
         */
        public boolean withinLimits(int totalBudget) {
            return !oversized && emittedSlots() <= totalBudget;
        }

        /** One part of the section: the rest or a class, and the filters it may match. */
        private record Part(int keyClass, List<List<Integer>> buckets, int size) {}

        /**
         * Writes the section: its main line into {@code mainLine} (it falls through at its end),
         * and the code it jumps to into {@code bodies}, which the caller places where nothing
         * falls into it (after an exit, say).
         */
        public void emit(Assembler mainLine, Assembler bodies) {
            if (groups != null) {
                throw new IllegalStateException("the section is emitted already");
            }
            String p = layout.prefix();
            int before = mainLine.slot() + bodies.slot();
            List<Part> parts = new ArrayList<>();
            if (restSegment != null) {
                List<Integer> all = new ArrayList<>();
                for (int f = first; f < next; f++) {
                    if (!isKeyed(f)) {
                        all.add(f);
                    }
                }
                parts.add(new Part(-1, List.of(all), all.size()));
            }
            List<Part> keyed = new ArrayList<>();
            buckets.forEach((keyClass, byKey) -> {
                int size = byKey.values().stream().mapToInt(List::size).sum();
                keyed.add(new Part(keyClass, List.copyOf(byKey.values()), size));
            });
            // the largest class last: its matches need not go through the jump to the best
            keyed.sort(Comparator.comparingInt(Part::size));
            parts.addAll(keyed);
            int count = parts.size();
            List<Group> groupList = new ArrayList<>();
            List<List<Integer>> partFilters = new ArrayList<>();
            for (Part part : parts) {
                Set<Integer> all = new TreeSet<>();
                part.buckets().forEach(all::addAll);
                partFilters.add(List.copyOf(all));
            }
            groupList.add(new Group(partFilters));
            for (Part part : parts) {
                if (part.keyClass() >= 0) {
                    groupList.add(new Group(part.buckets()));
                }
            }
            // bodies
            TreeSet<Integer> candidates = new TreeSet<>(); // filters a stub may record
            int classGroup = 1;
            for (int m = 0; m < count; m++) {
                Part part = parts.get(m);
                boolean last = m == count - 1;
                String back = p + "n" + m;
                String record = p + "record" + m;
                int stubs = stubCount;
                bodies.label(p + "b" + m);
                code.packetPointers(bodies);
                if (part.keyClass() < 0) {
                    Assembler chain = new Assembler();
                    restSegment.emitTo(chain);
                    chain.label(p + "r_end").gotol(back);
                    for (int f : part.buckets().getFirst()) {
                        if (restSegment.reachesMatch(restNumber[f])) {
                            if (!last) {
                                candidates.add(f);
                                stubCount++;
                            }
                            matched(chain, f, p + "rm" + f, last, record);
                        }
                    }
                    oversized |= chain.slot() > MAX_BUCKET_SLOTS;
                    bodies.append(chain);
                } else {
                    if (m > 0) {
                        bodies.emit(Instruction.ldx(Size.W, layout.best(), Register.R10, layout.bestOffset()));
                    }
                    // the class's jumps within itself are resolved before it joins the bodies: its
                    // thousands of labels are not copied into the program and sorted out again there
                    Assembler classBody = new Assembler();
                    emitClass(classBody, part, classGroup++, m, last, back, record, candidates);
                    classBody.resolveLocalJumps();
                    bodies.append(classBody);
                }
                if (stubCount > stubs) {
                    // the part's matches: the best so far (a match in this part is before it)
                    bodies.label(record)
                            .emit(Instruction.stx(Size.W, Register.R10, layout.bestOffset(), layout.best()));
                    bodies.gotol(back);
                }
            }
            boolean dispatch = count > 1 && !candidates.isEmpty();
            int dispatchGroup = groupList.size();
            if (dispatch) {
                List<List<Integer>> single = new ArrayList<>();
                candidates.forEach(f -> single.add(List.of(f)));
                groupList.add(new Group(single));
                int[] keys = candidates.stream().mapToInt(Integer::intValue).toArray();
                List<Leaf> leaves = new ArrayList<>();
                for (int f : keys) {
                    Assembler leaf = new Assembler();
                    code.hit(leaf, f, p + "d" + f);
                    leaves.add(new Leaf(leaf.slot(), asm -> asm.append(leaf)));
                }
                bodies.label(p + "dispatch");
                new SearchTree(p + "dt", layout.best(), keys, leaves, dispatchGroup).emit(bodies);
            }
            groups = List.copyOf(groupList);
            // main line
            if (count > 1) {
                code.groupGuard(mainLine, 0, 0, count, p + "init");
                mainLine.emit(Instruction.st(Size.W, Register.R10, layout.bestOffset(), NONE));
                mainLine.label(p + "init");
            }
            for (int m = 0; m < count; m++) {
                code.groupGuard(mainLine, 0, m, m + 1, p + "n" + m);
                mainLine.gotol(p + "b" + m);
                mainLine.label(p + "n" + m);
            }
            if (dispatch) {
                code.groupGuard(mainLine, 0, 0, count - 1, p + "found");
                mainLine.emit(Instruction.ldx(Size.W, layout.best(), Register.R10, layout.bestOffset()));
                mainLine.jump32(JumpOp.JEQ, layout.best(), NONE, p + "found");
                mainLine.gotol(p + "dispatch");
                mainLine.label(p + "found");
            }
            // every filter keeps a patch site, even one whose every copy was left out
            for (int f = first; f < next; f++) {
                if (!guarded.get(f)) {
                    code.guard(mainLine, f, p + "site" + f);
                    mainLine.label(p + "site" + f);
                }
            }
            emittedSlots = mainLine.slot() + bodies.slot() - before;
        }

        /**
         * Where a match of {@code filter} in part m goes: a hit when the part is the last, else the
         * filter's number into the best register and on to {@code record}, the part's one store
         * of it (one instruction that writes the stack per part, not one per filter: see
         * {@link #emitClass}).
         */
        private void matched(Assembler block, int filter, String label, boolean last, String record) {
            if (last) {
                code.hit(block, filter, label);
            } else {
                block.label(label);
                block.emit(Instruction.mov32(layout.best(), filter));
                block.gotol(record);
            }
        }

        private void emitClass(
                Assembler body,
                Part part,
                int group,
                int m,
                boolean last,
                String back,
                String record,
                TreeSet<Integer> candidates) {
            String p = layout.prefix() + "c" + m + "_";
            KeyClass keyClass = classes.get(part.keyClass());
            keyClass.prelude().emit(body, layout.fragment(), p + "p_", p + "tree", p + "miss");
            body.label(p + "miss").gotol(back);
            body.label(p + "tree");
            // Each bucket compares a copy of the key that the tree's compares do not narrow (an ALU
            // operation unlinks a copy from its source in the verifier): comparing A itself, the
            // verifier would decide the compare of every bucket of consecutive keys (ports) and
            // delete it and the code after it, each deletion moving the whole program (seconds for
            // 10,000 buckets). No stack word either: every new stack access reruns the verifier's
            // stack liveness over the whole program.
            Register copy = layout.fragment().temp();
            body.emit(Instruction.mov32(copy, layout.fragment().a()), Instruction.alu32(AluOp.XOR, copy, 0));
            boolean bounded = m > 0;
            TreeMap<Integer, List<Integer>> byKey = buckets.get(part.keyClass());
            int[] keys = byKey.keySet().stream().mapToInt(Integer::intValue).toArray();
            List<Leaf> leaves = new ArrayList<>();
            for (int b = 0; b < keys.length; b++) {
                List<Integer> members = byKey.get(keys[b]);
                BucketCode bucket = bucketCode(keyClass, keys[b], members, bounded);
                int[] numbers = new int[members.size()];
                for (int i = 0; i < numbers.length; i++) {
                    numbers[i] = members.get(i);
                }
                String prefix = p + "k" + b + "_";
                Assembler template = bucket.code();
                oversized |= template.slot() > MAX_BUCKET_SLOTS;
                bucket.guarded().stream().forEach(i -> guarded.set(numbers[i]));
                int slots = template.slot();
                for (int i = bucket.matched().nextSetBit(0);
                        i >= 0;
                        i = bucket.matched().nextSetBit(i + 1)) {
                    slots += last ? code.hitSlots(numbers[i]) : 2;
                    if (!last) {
                        candidates.add(numbers[i]);
                        stubCount++;
                    }
                }
                // the template's outside labels: the end of the part, and its members' matches (written after it)
                UnaryOperator<String> outside = name -> name.equals(BACK)
                        ? back
                        : name.startsWith(MATCH) ? prefix + "m" + name.substring(MATCH.length()) : name;
                leaves.add(new Leaf(slots, asm -> {
                    asm.appendInstance(template, prefix, outside, numbers);
                    // after the chain, where each match goes: its hit block in the last part, else a
                    // stub with the filter's number
                    for (int i = bucket.matched().nextSetBit(0);
                            i >= 0;
                            i = bucket.matched().nextSetBit(i + 1)) {
                        matched(asm, numbers[i], prefix + "m" + i, last, record);
                    }
                }));
            }
            new SearchTree(p + "t", layout.fragment().a(), keys, leaves, group).emit(body);
        }

        /**
         * The code of the bucket of {@code constant} in {@code keyClass} with {@code members} but
         * its hit blocks or stubs, as a template ({@link Assembler#appendInstance}): its labels
         * local, {@link #BACK} for the end of its part and {@link #MATCH} for the hit blocks
         * written after it, each member's number a parameter (its
         * position in the bucket). From the cache when an earlier section or compile made it with
         * the same inputs. Two steps: the bucket's chain compiled (the work), found by the class's
         * state, or else by what the chain keeps of it, and by the members' filters; then its code
         * written with the members' guards (their code keys) and, in a part after the first, their
         * bound checks.
         */
        private BucketCode bucketCode(KeyClass keyClass, int constant, List<Integer> members, boolean bounded) {
            FilterChain.Filter[] memberFilters = new FilterChain.Filter[members.size()];
            Object[] codeKeys = new Object[members.size()];
            boolean cacheable = true;
            for (int i = 0; i < memberFilters.length; i++) {
                int f = members.get(i);
                memberFilters[i] = filters.get(f);
                codeKeys[i] = code.codeKey(f);
                cacheable &= codeKeys[i] != null;
            }
            Entry base = keyClass.bucketBase();
            cache.bucketRequests++;
            if (!cacheable) {
                cache.bucketsCompiled++;
                FilterChain chain = new FilterChain(List.of(memberFilters));
                return template(
                        compileBucket(chain, bucketStart(base, keyClass.key(), constant), null),
                        constant,
                        members,
                        bounded);
            }
            // first by the class's state as it is (interned: compared by identity), the common case;
            // then by what the bucket's chain keeps of it, which other states may share
            BucketKey shared = new BucketKey(base, true, constant, memberFilters, layout);
            CompiledBucket compiled = (CompiledBucket) cache.buckets.get(shared, k -> {
                FilterChain chain = cache.bucketChains.get(List.of(memberFilters), FilterChain::new);
                Entry start = bucketStart(base, keyClass.key(), constant);
                // the chain's code depends on the entry only through what its filters can use of it
                BucketKey kept = new BucketKey(chain.relevantTo(start, 0), false, 0, memberFilters, layout);
                return cache.bucketStates.get(kept, j -> {
                    cache.bucketsCompiled++;
                    return compileBucket(chain, start, kept);
                });
            });
            // keep the entry by state too, for when the class's state changes but not what the bucket keeps of it
            cache.bucketStates.get(compiled.kept, k -> compiled);
            return (BucketCode) cache.bucketCode.get(
                    new TemplateKey(compiled, constant, Arrays.asList(codeKeys), bounded),
                    k -> template(compiled, constant, members, bounded));
        }

        /** The chain of a bucket's filters, compiled from {@code start}; {@code kept} is its key in the cache (or null). */
        private CompiledBucket compileBucket(FilterChain chain, Entry start, BucketKey kept) {
            FilterChain.Segment segment = chain.segment(
                    0,
                    start,
                    layout.fragment().withLabels("", "", "", null),
                    (block, i, skip) -> {},
                    i -> MATCH + i,
                    "end");
            while (segment.nextFilter() < chain.size()) {
                segment.add();
            }
            BitSet matched = new BitSet();
            for (int i = 0; i < chain.size(); i++) {
                if (segment.reachesMatch(i)) {
                    matched.set(i);
                }
            }
            return new CompiledBucket(segment, kept, matched);
        }

        /** The code of a compiled bucket with the guards of {@code members}: see {@link #bucketCode}. */
        private BucketCode template(CompiledBucket compiled, int constant, List<Integer> members, boolean bounded) {
            Assembler leaf = new Assembler();
            BitSet guardedMembers = new BitSet();
            leaf.jump32(JumpOp.JNE, layout.fragment().temp(), constant, "end");
            compiled.segment.emitTo(leaf, (block, i, skip) -> {
                guardedMembers.set(i);
                code.guard(block, members.get(i), skip);
                if (bounded) {
                    // the bucket is left when the best match so far is at or before this filter:
                    // neither it nor the bucket's later filters can be the first match (to the end,
                    // not to the next copy, where the verifier would know the best is small and
                    // decide the next copy's compare, which costs a deletion)
                    block.jump(JumpOp.JLE, layout.best(), members.get(i), "end").parameter(i);
                }
            });
            leaf.label("end").gotol(BACK);
            int slots = leaf.slot();
            // jumps within the bucket are relative: resolved once here, not for every instance
            leaf.resolveLocalJumps();
            return new BucketCode(leaf, guardedMembers, compiled.matched, slots);
        }

        /**
         * A binary search over sorted keys in a register, each side of each node behind a group
         * guard of its range of leaves; the leaves are given blocks of code.
         */
        private final class SearchTree {
            private final String prefix;
            private final Register register;
            private final int[] keys;
            private final List<Leaf> leaves;
            private final int group;

            SearchTree(String prefix, Register register, int[] keys, List<Leaf> leaves, int group) {
                this.prefix = prefix;
                this.register = register;
                this.keys = keys;
                this.leaves = leaves;
                this.group = group;
            }

            void emit(Assembler asm) {
                emit(asm, 0, keys.length);
            }

            private int size(int from, int to) {
                if (to - from == 1) {
                    return leaves.get(from).slots();
                }
                int middle = (from + to) >>> 1;
                int left = size(from, middle);
                return 3 + (left > NEAR ? 1 : 0) + left + size(middle, to);
            }

            private void emit(Assembler asm, int from, int to) {
                if (to - from == 1) {
                    leaves.get(from).appendTo().accept(asm);
                    return;
                }
                int middle = (from + to) >>> 1;
                String node = prefix + from + "_" + to;
                String left = node + "l";
                String right = node + "r";
                boolean far = size(from, middle) > NEAR;
                // a side whose filters are all disabled is not searched: go straight to the other
                code.groupGuard(asm, group, from, middle, far ? node + "t" : right);
                code.groupGuard(asm, group, middle, to, left);
                if (far) {
                    asm.jump32(JumpOp.JLT, register, keys[middle], left);
                    asm.label(node + "t").gotol(right);
                } else {
                    asm.jump32(JumpOp.JGE, register, keys[middle], right);
                }
                asm.label(left);
                emit(asm, from, middle);
                asm.label(right);
                emit(asm, middle, to);
            }
        }
    }
}

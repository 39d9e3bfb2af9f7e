package org.levee.compiler;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.levee.cbpf.CbpfProgram;

/**
 * What compiles of a list of filters ({@link FilterIndex}, {@link FilterChain}) can take from
 * the compiles before them, for a caller that compiles one list again and again as it changes a
 * little (a rule added, a rule removed): each filter made ready once ({@link FilterChain.Filter}:
 * normalised, compiled on its own, its matching paths), and the code of each index bucket.
 *
 * <p>Every entry is the result of a deterministic function of its key, and the key holds every
 * input of that function, so a compile that takes an entry from here writes what it would have
 * written without it: a compile with a cache equals, byte for byte, one with an empty cache.
 * Bucket code depends on the numbers of its filters only through parameters filled in where it
 * is placed ({@link org.levee.ebpf.asm.Assembler#appendInstance}), so removing a filter, which
 * renumbers every filter after it, leaves the other buckets' code as it is.
 *
 * <p>{@link #endCompile} ends a compile: what it did not use is forgotten then, so the cache
 * holds what the last compile used. Not thread-safe: one compile at a time.
 */
public final class CompilationCache {
    final Memo<List<CbpfProgram>, FilterChain.Filter> filters = new Memo<>();
    private final Memo<SamePrograms, FilterChain.Filter> sameFilters = new Memo<>();
    final Memo<List<FilterChain.Filter>, FilterChain> bucketChains = new Memo<>();
    /** Bucket code by the class's state (interned), and by what the bucket keeps of it. */
    final Memo<Object, Object> buckets = new Memo<>();

    final Memo<Object, Object> bucketStates = new Memo<>();
    /** Bucket code with its guards, by compiled bucket, guards and bound checks. */
    final Memo<Object, Object> bucketCode = new Memo<>();

    final Memo<Object, Object> classes = new Memo<>();
    int bucketRequests;
    int bucketsCompiled;
    private Use lastUse = new Use(0, 0, 0, 0);

    /** An empty cache. */
    public CompilationCache() {}

    /**
     * Ends a compile: entries it did not use are dropped, those it used or made are kept for the
     * next compile.
     */
    public void endCompile() {
        lastUse = new Use(
                filters.made,
                sameFilters.made + sameFilters.reused - filters.made,
                bucketsCompiled,
                bucketRequests - bucketsCompiled);
        filters.age();
        sameFilters.age();
        bucketChains.age();
        buckets.age();
        bucketStates.age();
        bucketCode.age();
        classes.age();
        bucketRequests = 0;
        bucketsCompiled = 0;
    }

    /**
     * How a compile used the cache.
     *
     * @param filtersMade     filters made ready (normalised, compiled on their own)
     * @param filtersReused   filters taken from the cache
     * @param bucketsMade     index buckets compiled
     * @param bucketsReused   index buckets taken from the cache
     */
    public record Use(int filtersMade, int filtersReused, int bucketsMade, int bucketsReused) {}

    /** How the last compile that {@link #endCompile ended} used the cache. */
    public Use lastUse() {
        return lastUse;
    }

    /**
     * The filter of {@code programs} (their conjunction), made ready once for every compile that
     * has it: found by the programs' identity first (a caller that keeps its programs, as the
     * rules' cache does, hands the same ones again), else by their content.
     */
    FilterChain.Filter filter(List<CbpfProgram> programs) {
        return sameFilters.get(
                new SamePrograms(programs), k -> filters.get(List.copyOf(programs), FilterChain.Filter::of));
    }

    /** Programs compared by identity: no instruction is hashed to find them. */
    private static final class SamePrograms {
        private final CbpfProgram[] programs;
        private final int hash;

        SamePrograms(List<CbpfProgram> programs) {
            this.programs = programs.toArray(CbpfProgram[]::new);
            int h = 1;
            for (CbpfProgram program : this.programs) {
                h = 31 * h + System.identityHashCode(program);
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof SamePrograms other) || other.hash != hash || other.programs.length != programs.length) {
                return false;
            }
            for (int i = 0; i < programs.length; i++) {
                if (other.programs[i] != programs[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A cache of one kind of entry over two generations: what the running compile used, and what
     * the one before it used. A lookup moves an entry of the older generation to the newer;
     * {@link #age} drops the older one.
     */
    static final class Memo<K, V> {
        private Map<K, V> current = new HashMap<>();
        private Map<K, V> previous = new HashMap<>();
        int made;
        int reused;

        V get(K key, Function<? super K, ? extends V> make) {
            V value = current.get(key);
            if (value != null) {
                reused++;
                return value;
            }
            value = previous.remove(key);
            if (value != null) {
                reused++;
            } else {
                value = make.apply(key);
                made++;
            }
            current.put(key, value);
            return value;
        }

        void age() {
            previous = current;
            current = new HashMap<>();
            made = 0;
            reused = 0;
        }

        int size() {
            return current.size() + previous.size();
        }
    }
}

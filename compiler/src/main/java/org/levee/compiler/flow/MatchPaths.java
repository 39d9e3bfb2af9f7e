package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ways a filter can match: every path from its start to a return of a non-zero value, each
 * with the tests it passes and their outcomes, in order. A packet the filter matches runs along
 * one of them, so every test of that path has, on that packet, the outcome the path records —
 * which makes a test a path pins ({@code v == k} taken) a key to find the filter by: the packets
 * that can match along that path all have {@code v = k} ({@link org.levee.compiler.FilterIndex}).
 *
 * <p>A walk with the exact values cBPF computes, as {@link Facts#rulesOut} does; tests the path
 * already decided are followed, not split, so the paths are the feasible ones as far as the
 * recorded outcomes tell. Filters with too many paths (a DNS name walk) have no answer.
 */
public final class MatchPaths {
    private MatchPaths() {}

    /** A test and its outcome on a path. */
    public record Test(Predicate predicate, boolean outcome) {}

    /** One way to a match: its tests in the order it makes them. */
    public record Path(List<Test> tests) {
        public Path {
            tests = List.copyOf(tests);
        }

        /**
         * The values this path pins to a constant (a {@code jeq #k} taken), with the constant,
         * in the order of the tests.
         */
        public Map<Value, Integer> pins() {
            Map<Value, Integer> pins = new LinkedHashMap<>();
            for (Test test : tests) {
                Predicate p = test.predicate();
                if (test.outcome()
                        && p.op() == JEQ
                        && p.b() instanceof Value.Const c
                        && !(p.a() instanceof Value.Const)) {
                    pins.putIfAbsent(p.a(), c.k());
                }
            }
            return pins;
        }

        /** What holds on every packet that takes this path. */
        public Knowledge knowledge() {
            Knowledge known = Knowledge.NOTHING;
            for (Test test : tests) {
                known = known.with(test.predicate(), test.outcome());
            }
            return known;
        }
    }

    /**
     * The matching paths of {@code flow}, or empty when there are more than {@code maxPaths} or
     * finding them takes more than {@code budget} instructions.
     */
    public static Optional<List<Path>> of(Flow flow, int maxPaths, int budget) {
        Walk walk = new Walk(flow, maxPaths, budget);
        Value[] start = new Value[Values.SLOTS];
        Arrays.fill(start, new Value.Const(0));
        return walk.from(0, start, Knowledge.NOTHING, new ArrayList<>()) ? Optional.of(walk.paths) : Optional.empty();
    }

    private static final class Walk {
        private final Flow flow;
        private final int maxPaths;
        private int budget;
        private final List<Path> paths = new ArrayList<>();

        Walk(Flow flow, int maxPaths, int budget) {
            this.flow = flow;
            this.maxPaths = maxPaths;
            this.budget = budget;
        }

        /** Walks every path from {@code pc}; false when a limit was reached. */
        boolean from(int pc, Value[] state, Knowledge known, List<Test> tests) {
            while (true) {
                if (--budget < 0) {
                    return false;
                }
                Op op = flow.get(pc);
                if (op.isReturn()) {
                    if (op.code() == (RET | K)) {
                        return op.k() == 0 || matched(tests);
                    }
                    // ret a: a match where A is not 0
                    Predicate zero = new Predicate(JEQ, state[Values.A_SLOT], new Value.Const(0));
                    Boolean isZero = known.outcomeOf(zero);
                    if (Boolean.TRUE.equals(isZero)) {
                        return true;
                    }
                    List<Test> more = new ArrayList<>(tests);
                    if (isZero == null) {
                        more.add(new Test(zero, false));
                    }
                    return matched(more);
                }
                if (DeadCode.alwaysFails(op)) {
                    return true;
                }
                if (op.isJa()) {
                    pc = op.jt();
                    continue;
                }
                if (op.isConditional()) {
                    Predicate p = Predicate.of(op, state);
                    Boolean outcome = known.outcomeOf(p);
                    if (outcome != null) {
                        pc = outcome ? op.jt() : op.jf();
                        continue;
                    }
                    List<Test> taken = new ArrayList<>(tests);
                    taken.add(new Test(p, true));
                    if (!from(op.jt(), state.clone(), known.with(p, true), taken)) {
                        return false;
                    }
                    tests.add(new Test(p, false));
                    known = known.with(p, false);
                    pc = op.jf();
                    continue;
                }
                state = Values.transfer(op, state);
                pc++;
            }
        }

        private boolean matched(List<Test> tests) {
            paths.add(new Path(tests));
            return paths.size() <= maxPaths;
        }
    }
}

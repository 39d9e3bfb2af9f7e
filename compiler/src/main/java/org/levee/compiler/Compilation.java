package org.levee.compiler;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.levee.compiler.flow.ByteOrder;
import org.levee.compiler.flow.DivisionGuards;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Facts;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.Initialisation;
import org.levee.compiler.flow.Knowledge;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.PacketGuards;
import org.levee.compiler.flow.Predicate;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.Values;

/**
 * A filter after the compiler's passes: the simplified program and every decision the back ends
 * ({@link EbpfEmitter}, {@link CEmitter}) need. Independent of registers and labels, so one
 * compilation can be emitted any number of times.
 *
 * @param sourceSize    instructions of the cBPF program as given
 * @param flow          the program after jump normalisation, value reuse and dead-code removal
 * @param entry         what held when the fragment starts ({@link Entry#NONE} for a filter on its own)
 * @param values        symbolic register values per instruction
 * @param zeroed        slots zeroed at the start ({@link Values#A_SLOT}, {@link Values#X_SLOT}, 2 + word)
 * @param divisionGuards divisions/modulos by X that need an X = 0 check
 * @param guards        packet-bounds guards
 * @param byteOrder     loads kept in network byte order and the jumps that compare them
 * @param exits         every way the fragment ends without a match, with what holds there; empty
 *                      unless compiled for a {@link FilterChain}
 */
public record Compilation(
        int sourceSize,
        Flow flow,
        Entry entry,
        Values values,
        BitSet zeroed,
        BitSet divisionGuards,
        PacketGuards.Plan guards,
        ByteOrder.Decision byteOrder,
        List<Exit> exits) {

    public Compilation {
        exits = List.copyOf(exits);
    }

    public BitSet zeroed() {
        return (BitSet) zeroed.clone();
    }

    public BitSet divisionGuards() {
        return (BitSet) divisionGuards.clone();
    }

    /** True when no packet can match: the fragment is a jump to its one exit. */
    public boolean neverMatches() {
        return flow.size() == 1 && flow.get(0).isRejection();
    }

    static Compilation of(int sourceSize, Flow flow, Entry entry, boolean withExits) {
        Values values = Values.analyse(flow, entry);
        BitSet zeroed = Initialisation.slotsToZero(flow);
        // What the entry provides is in its register already (the compiler dropped the entry's
        // A or X up front when the filter reads them before writing them: cBPF starts them at 0).
        if (entry.a() != null) {
            zeroed.clear(Values.A_SLOT);
        }
        if (entry.x() != null) {
            zeroed.clear(Values.X_SLOT);
        }
        BitSet divisionGuards = DivisionGuards.needed(flow, entry);
        PacketGuards.Plan guards = PacketGuards.plan(flow, values, entry);
        ByteOrder.Decision order = ByteOrder.decide(flow, entry.aRawWidth());
        List<Exit> exits = withExits ? exits(flow, entry, values, divisionGuards, guards, order) : List.of();
        return new Compilation(sourceSize, flow, entry, values, zeroed, divisionGuards, guards, order, exits);
    }

    private static List<Exit> exits(
            Flow flow,
            Entry entry,
            Values values,
            BitSet divisionGuards,
            PacketGuards.Plan plan,
            ByteOrder.Decision order) {
        Facts facts = Facts.analyse(flow, values, entry.facts());
        List<Exit> exits = new ArrayList<>();
        for (int i = 0; i < flow.size(); i++) {
            if (!values.isReachable(i)) {
                continue;
            }
            Op op = flow.get(i);
            Knowledge known = facts.before(i);
            if (op.isRejection()) {
                exits.add(new Exit(Exit.Kind.REJECT, i, state(known, values, order, plan, i, true)));
            } else if (op.code() == (RET | A)) {
                Predicate zero = new Predicate(JEQ, values.a(i), new Value.Const(0));
                exits.add(new Exit(Exit.Kind.REJECT, i, state(known.with(zero, true), values, order, plan, i, true)));
            }
            int guard = plan.guard()[i];
            if (guard > 0) {
                Knowledge failed = guard == PacketGuards.FAILS
                        ? known
                        : op.isIndirectLoad()
                                ? known.withPointerShort(values.x(i), guard)
                                : known.withShorterThan(guard);
                // an indirect guard recomputes the pointer register; an absolute one uses the temp
                exits.add(new Exit(
                        Exit.Kind.PACKET_GUARD, i, state(failed, values, order, plan, i, !op.isIndirectLoad())));
            }
            if (divisionGuards.get(i)) {
                Predicate zero = new Predicate(JEQ, values.x(i), new Value.Const(0));
                exits.add(new Exit(
                        Exit.Kind.DIVISION_GUARD, i, state(known.with(zero, true), values, order, plan, i, true)));
            }
        }
        return exits;
    }

    /** What holds when the fragment leaves at instruction {@code i} (before it runs). */
    private static Entry state(
            Knowledge known,
            Values values,
            ByteOrder.Decision order,
            PacketGuards.Plan plan,
            int i,
            boolean pointerKept) {
        Value a = values.a(i);
        int aWidth = order.rawWidthOfA(i);
        if (!a.isDefinite() || aWidth < 0) {
            a = null;
            aWidth = 0;
        }
        Value x = values.x(i);
        if (!x.isDefinite()) {
            x = null;
        }
        int pointer = x != null && pointerKept ? plan.pointerProvedBefore()[i] : 0;
        return new Entry(known, a, aWidth, x, plan.packetBefore()[i], pointer);
    }
}

package org.levee.compiler;

import java.util.BitSet;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.ByteOrder;
import org.levee.compiler.flow.DivisionGuards;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.Initialisation;
import org.levee.compiler.flow.PacketGuards;
import org.levee.compiler.flow.Values;

/**
 * A filter after the compiler's passes: the simplified program and every decision the back ends
 * ({@link EbpfEmitter}, {@link CEmitter}) need. Independent of registers and labels, so one
 * compilation can be emitted any number of times.
 *
 * @param source        the cBPF program as given
 * @param flow          the program after jump normalisation, value reuse and dead-code removal
 * @param values        symbolic register values per instruction
 * @param zeroed        slots zeroed at the start ({@link Values#A_SLOT}, {@link Values#X_SLOT}, 2 + word)
 * @param divisionGuards divisions/modulos by X that need an X = 0 check
 * @param guards        packet-bounds guards
 * @param byteOrder     loads kept in network byte order and the jumps that compare them
 */
public record Compilation(CbpfProgram source, Flow flow, Values values, BitSet zeroed, BitSet divisionGuards,
        PacketGuards.Plan guards, ByteOrder.Decision byteOrder) {

    public BitSet zeroed() {
        return (BitSet) zeroed.clone();
    }

    public BitSet divisionGuards() {
        return (BitSet) divisionGuards.clone();
    }

    static Compilation of(CbpfProgram source, Flow flow) {
        Values values = Values.analyse(flow);
        return new Compilation(source, flow, values, Initialisation.slotsToZero(flow), DivisionGuards.needed(flow),
                PacketGuards.plan(flow, values), ByteOrder.decide(flow));
    }
}

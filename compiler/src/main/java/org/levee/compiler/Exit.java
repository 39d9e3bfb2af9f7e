package org.levee.compiler;

import java.util.Objects;
import org.levee.compiler.flow.Entry;

/**
 * One way a compiled fragment ends without a match, and what holds there: the {@link Entry} of
 * whatever runs next.
 *
 * @param kind        what ends the fragment here
 * @param instruction the instruction of the compilation's flow it belongs to: the {@code ret} for
 *                    a rejection, the load or division for a guard
 * @param state       what is known, and what the registers hold, after this exit
 */
public record Exit(Kind kind, int instruction, Entry state) {

    public enum Kind {
        /** A {@code ret #0} (one edge into it: see {@link org.levee.compiler.flow.Rejections}), or {@code ret a} with A = 0. */
        REJECT,
        /** The packet is too short for the guard before a load. */
        PACKET_GUARD,
        /** X is 0 at a division or modulo by X. */
        DIVISION_GUARD
    }

    public Exit {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
    }
}

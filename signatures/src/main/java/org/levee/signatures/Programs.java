package org.levee.signatures;

import org.levee.cbpf.CbpfProgram;

/** Checks shared by every generator on the programs they produce. */
final class Programs {
    /** The kernel's limit on classic BPF programs (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;

    private Programs() {}

    static CbpfProgram checkSize(CbpfProgram program, String what) {
        if (program.size() > MAX_INSTRUCTIONS) {
            throw new SignatureException(what + " needs " + program.size() + " instructions; classic BPF allows "
                    + MAX_INSTRUCTIONS + ": split it into several rules");
        }
        return program;
    }
}

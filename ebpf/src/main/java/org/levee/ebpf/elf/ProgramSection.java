package org.levee.ebpf.elf;

import java.util.Objects;
import org.levee.ebpf.asm.AssembledProgram;

/**
 * One program in an object: an executable section named like the program type libbpf expects
 * ({@code xdp}, {@code xdp/hook}…), whose global FUNC symbol names the program.
 *
 * @param section the section name
 * @param name    the program's symbol
 * @param program the instructions, labels (written as local symbols) and relocations (written as
 *                {@code .rel<section>} entries)
 */
public record ProgramSection(String section, String name, AssembledProgram program) {
    public ProgramSection {
        Names.require("program section", section);
        Names.require("program symbol", name);
        Objects.requireNonNull(program, "program");
    }
}

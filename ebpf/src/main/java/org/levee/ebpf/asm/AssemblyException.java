package org.levee.ebpf.asm;

/** A program that cannot be assembled or resolved: a label or symbol problem, a jump out of range. */
public final class AssemblyException extends IllegalArgumentException {
    public AssemblyException(String message) {
        super(message);
    }
}

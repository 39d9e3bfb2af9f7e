package org.levee.cbpf;

import java.util.OptionalInt;

/**
 * A classic BPF program, its text or its input is not acceptable: an invalid instruction, a
 * malformed listing, a libpcap compile error. The message says what is wrong and where; the
 * instruction index and the text column, when they apply, are also available as values.
 */
public final class CbpfException extends RuntimeException {
    private static final int NONE = -1;

    private final int instructionIndex;
    private final int column;

    /** An error that is not about one instruction (e.g. an empty program, a libpcap message). */
    public CbpfException(String message) {
        this(message, NONE, NONE, null);
    }

    public CbpfException(String message, Throwable cause) {
        this(message, NONE, NONE, cause);
    }

    private CbpfException(String message, int instructionIndex, int column, Throwable cause) {
        super(message, cause);
        this.instructionIndex = instructionIndex;
        this.column = column;
    }

    /** An error in instruction {@code index}; the message is prefixed with "instruction N: ". */
    public static CbpfException atInstruction(int index, String problem) {
        return new CbpfException("instruction " + index + ": " + problem, index, NONE, null);
    }

    /**
     * An error in the text of instruction {@code index} at 1-based {@code column} of its line or
     * field; the message is prefixed with "instruction N, column C: ".
     */
    public static CbpfException atColumn(int index, int column, String problem) {
        return new CbpfException("instruction " + index + ", column " + column + ": " + problem, index, column, null);
    }

    /** An error in the instruction count that opens a text form, at 1-based {@code column}. */
    public static CbpfException inCount(int column, String problem) {
        return new CbpfException("instruction count, column " + column + ": " + problem, NONE, column, null);
    }

    /** The index of the offending instruction, when the error is about one. */
    public OptionalInt instructionIndex() {
        return instructionIndex == NONE ? OptionalInt.empty() : OptionalInt.of(instructionIndex);
    }

    /** The 1-based column of the offending text, when the error comes from parsing. */
    public OptionalInt column() {
        return column == NONE ? OptionalInt.empty() : OptionalInt.of(column);
    }
}

package org.levee.testing.fuzz;

import java.nio.file.Path;

/**
 * One kind of failure a family showed: the first input that showed it, reduced to what still
 * shows it, and how many inputs of the run showed the same (same kind, same exception type, same
 * place in the code).
 *
 * @param kind        what went wrong
 * @param index       the first input's number in the run (-1 for the heap trend)
 * @param problem     the exception or the broken promise, in one line
 * @param where       the top of the stack, or other detail
 * @param input       the first input that showed it, as {@link InputKind#describe} prints it
 * @param minimized   the smallest input found that still shows it (same form)
 * @param file        where the minimized input's bytes were written (null if nowhere)
 * @param occurrences how many inputs of the run showed it
 */
public record Crash(
        Kind kind,
        long index,
        String problem,
        String where,
        String input,
        String minimized,
        Path file,
        long occurrences) {

    /** What makes an input a crash. */
    public enum Kind {
        /** An exception or error other than the family's documented ones (assertion failures included). */
        UNDOCUMENTED_ERROR,
        /** The documented error, with a message that is empty or does not say what it promises. */
        BAD_MESSAGE,
        /** More than the family's time limit on one input, twice in a row. */
        TOO_SLOW,
        /** The input never returned: the run was abandoned. */
        HANG,
        /** Retained heap grew with the number of inputs. */
        HEAP_GROWTH,
        /** A seed, which must be valid, was not accepted: the corpus or the parser is wrong. */
        REJECTED_SEED,
    }

    Crash withOccurrences(long count) {
        return new Crash(kind, index, problem, where, input, minimized, file, count);
    }

    /** Several lines: kind, count, problem, place, the inputs and where the minimized one is stored. */
    public String describe() {
        StringBuilder text = new StringBuilder()
                .append(kind)
                .append(" (")
                .append(occurrences)
                .append(occurrences == 1 ? " input" : " inputs")
                .append(index >= 0 ? ", first: input " + index : "")
                .append("): ")
                .append(problem);
        if (where != null && !where.isEmpty()) {
            text.append("\n    at ").append(where.replace("\n", "\n    at "));
        }
        if (input != null) {
            text.append("\n    input:     ").append(input);
        }
        if (minimized != null && !minimized.equals(input)) {
            text.append("\n    minimized: ").append(minimized);
        }
        if (file != null) {
            text.append("\n    stored in ").append(file);
        }
        return text.toString();
    }
}

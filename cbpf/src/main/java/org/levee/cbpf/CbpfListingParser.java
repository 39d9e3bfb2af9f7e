package org.levee.cbpf;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the assembly listing of {@code tcpdump -d} (and of {@link CbpfText#printListing}) back
 * into a program, so that filters can be written and reviewed in the form people read:
 *
 * <pre>
 * (000) ldh      [12]
 * (001) jeq      #0x800           jt 2    jf 3
 * (002) ret      #262144
 * (003) ret      #0
 * </pre>
 *
 * The {@code (NNN)} prefix is optional but, when present, must number the lines 0, 1, 2…; jump
 * targets are absolute line numbers, as tcpdump prints them. Numbers may be decimal (negative
 * allowed) or hexadecimal with {@code 0x}. Blank lines are ignored.
 */
final class CbpfListingParser {
    private static final Pattern NUMBER = Pattern.compile("-?(?:0x[0-9a-fA-F]+|\\d+)");

    private static final Map<String, Integer> ALU_OPS = Map.of(
            "add", ADD, "sub", SUB, "mul", MUL, "div", DIV, "mod", MOD, "and", AND, "or", OR, "xor", XOR, "lsh", LSH,
            "rsh", RSH);
    private static final Map<String, Integer> JUMP_OPS = Map.of("jeq", JEQ, "jgt", JGT, "jge", JGE, "jset", JSET);
    private static final Map<String, Integer> LOAD_SIZES = Map.of("ld", W, "ldh", H, "ldb", B);

    private CbpfListingParser() {}

    static CbpfProgram parse(String text) {
        List<CbpfInstruction> instructions = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            instructions.add(parseLine(line, instructions.size()));
        }
        if (instructions.isEmpty()) {
            throw new CbpfException("empty listing: expected one instruction per line, e.g. '(000) ret #0'");
        }
        return new CbpfProgram(instructions);
    }

    /**
     * One line, split by hand rather than by a regular expression: a backtracking pattern over a
     * line of tens of thousands of blanks took seconds (found by fuzzing), and this takes one pass.
     */
    private static CbpfInstruction parseLine(String line, int index) {
        int end = line.length();
        while (end > 0 && isBlank(line.charAt(end - 1))) {
            end--;
        }
        int i = skipBlanks(line, 0, end);
        int first = i;
        if (i < end && line.charAt(i) == '(') {
            int digits = i + 1;
            int j = digits;
            while (j < end && line.charAt(j) >= '0' && line.charAt(j) <= '9') {
                j++;
            }
            if (j == digits || j == end || line.charAt(j) != ')') {
                throw malformed(line, index, first);
            }
            if (!isNumber(line, digits, j, index)) {
                throw CbpfException.atColumn(
                        index,
                        digits + 1,
                        "line number (" + line.substring(digits, j) + ") does not match the instruction's position "
                                + index);
            }
            i = skipBlanks(line, j + 1, end);
        }
        int opStart = i;
        while (i < end && line.charAt(i) >= 'a' && line.charAt(i) <= 'z') {
            i++;
        }
        int opEnd = i;
        if (opEnd == opStart || opEnd < end && !isBlank(line.charAt(opEnd))) {
            throw malformed(line, index, first);
        }
        String op = line.substring(opStart, opEnd);
        int operandStart = skipBlanks(line, opEnd, end);
        String operand = line.substring(operandStart, end);
        int operandColumn = operand.isEmpty() ? opEnd + 1 : operandStart + 1;
        Operand at = new Operand(operand, operandColumn, index);

        if (JUMP_OPS.containsKey(op)) {
            // value jt N jf M: five words separated by blanks
            List<int[]> words = words(operand);
            if (words.size() != 5
                    || !word(operand, words.get(1)).equals("jt")
                    || !word(operand, words.get(3)).equals("jf")) {
                throw at.error("expected '" + op + " #k jt N jf M' or '" + op + " x jt N jf M'");
            }
            int jt = at.target(word(operand, words.get(2)), words.get(2)[0], "jt");
            int jf = at.target(word(operand, words.get(4)), words.get(4)[0], "jf");
            String value = word(operand, words.getFirst());
            return value.equals("x")
                    ? jmpX(JUMP_OPS.get(op), jt, jf)
                    : jmpK(JUMP_OPS.get(op), at.immediate(value, 0), jt, jf);
        }
        if (ALU_OPS.containsKey(op)) {
            return operand.equals("x") ? aluX(ALU_OPS.get(op)) : aluK(ALU_OPS.get(op), at.immediate(operand, 0));
        }
        if (LOAD_SIZES.containsKey(op)) {
            int size = LOAD_SIZES.get(op);
            if (operand.startsWith("[x + ") && operand.endsWith("]")) {
                return new CbpfInstruction(
                        LD | size | IND, 0, 0, at.number(operand.substring(5, operand.length() - 1), 5));
            }
            if (operand.startsWith("[") && operand.endsWith("]")) {
                return new CbpfInstruction(
                        LD | size | ABS, 0, 0, at.number(operand.substring(1, operand.length() - 1), 1));
            }
            if (size == W) {
                return loadOrImmediate(at, operand, LD);
            }
            throw at.error("expected '" + op + " [k]' or '" + op + " [x + k]'");
        }
        return switch (op) {
            case "ldx" -> loadOrImmediate(at, operand, LDX);
            case "ldxb" -> {
                if (!operand.startsWith("4*([") || !operand.endsWith("]&0xf)")) {
                    throw at.error("expected 'ldxb 4*([k]&0xf)'");
                }
                yield ldxMsh(at.number(operand.substring(4, operand.length() - 6), 4));
            }
            case "st", "stx" -> {
                int word = at.scratch(operand);
                yield op.equals("st") ? st(word) : stx(word);
            }
            case "ja" -> ja(at.target(operand, 0, "ja"));
            case "ret" -> {
                if (operand.isEmpty() || operand.equals("a")) {
                    yield retA();
                }
                yield retK(at.immediate(operand, 0));
            }
            case "neg", "tax", "txa" -> {
                if (!operand.isEmpty()) {
                    throw at.error(op + " takes no operand");
                }
                yield op.equals("neg") ? neg() : op.equals("tax") ? tax() : txa();
            }
            default -> throw CbpfException.atColumn(index, opStart + 1, "unknown instruction '" + op + "'");
        };
    }

    /** {@code ld}/{@code ldx} with {@code #pktlen}, {@code #k} or {@code M[k]}. */
    private static CbpfInstruction loadOrImmediate(Operand at, String operand, int loadClass) {
        if (operand.equals("#pktlen") || operand.equals("#len")) {
            return new CbpfInstruction(loadClass | W | LEN, 0, 0, 0);
        }
        if (operand.startsWith("M[")) {
            return new CbpfInstruction(loadClass | W | MEM, 0, 0, at.scratch(operand));
        }
        return new CbpfInstruction(loadClass | W | IMM, 0, 0, at.immediate(operand, 0));
    }

    /** The characters {@code \\s} matches: a listing's blanks. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    private static int skipBlanks(String line, int from, int end) {
        int i = from;
        while (i < end && isBlank(line.charAt(i))) {
            i++;
        }
        return i;
    }

    /** True when the decimal digits {@code line[from, to)} are the number {@code expected} (any leading zeros). */
    private static boolean isNumber(String line, int from, int to, int expected) {
        int start = from;
        while (start < to - 1 && line.charAt(start) == '0') {
            start++;
        }
        return to - start <= 9 && Integer.parseInt(line, start, to, 10) == expected;
    }

    /** [start, end) of each run of non-blanks. */
    private static List<int[]> words(String text) {
        List<int[]> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            i = skipBlanks(text, i, text.length());
            int start = i;
            while (i < text.length() && !isBlank(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(new int[] {start, i});
            }
        }
        return words;
    }

    private static String word(String text, int[] range) {
        return text.substring(range[0], range[1]);
    }

    private static CbpfException malformed(String line, int index, int firstNonBlank) {
        return CbpfException.atColumn(
                index, firstNonBlank + 1, "expected '(NNN) op operand', found '" + line.strip() + "'");
    }

    /** The operand text of one line, for numbers and errors that name the column. */
    private record Operand(String text, int column, int index) {
        CbpfException error(String problem) {
            return CbpfException.atColumn(index, column, problem + ", found '" + text + "'");
        }

        /** {@code #k} at {@code offset} of the operand. */
        int immediate(String value, int offset) {
            if (!value.startsWith("#")) {
                throw CbpfException.atColumn(
                        index, column + offset, "expected an immediate '#k', found '" + value + "'");
            }
            return number(value.substring(1), offset + 1);
        }

        /** {@code M[k]}, k below 16. */
        int scratch(String value) {
            if (!value.startsWith("M[") || !value.endsWith("]")) {
                throw CbpfException.atColumn(index, column, "expected a scratch word 'M[k]', found '" + value + "'");
            }
            int word = number(value.substring(2, value.length() - 1), 2);
            if (word < 0 || word >= MEMORY_WORDS) {
                throw CbpfException.atColumn(
                        index, column + 2, "scratch word " + word + " is out of range 0.." + (MEMORY_WORDS - 1));
            }
            return word;
        }

        /** An absolute jump target after this line, returned relative to the next line. */
        int target(String value, int offset, String what) {
            int target = number(value, offset);
            int relative = target - index - 1;
            // A backward ja is representable (libpcap's protochain emits one); the validator refuses it.
            if (!what.equals("ja") && (relative < 0 || relative > 0xff)) {
                throw CbpfException.atColumn(
                        index,
                        column + offset,
                        what + " target " + target + " must be after this instruction and at most 256 further");
            }
            return relative;
        }

        /** A 32-bit number, decimal (possibly negative) or 0x hexadecimal. */
        int number(String value, int offset) {
            String trimmed = value.strip();
            if (!NUMBER.matcher(trimmed).matches()) {
                throw CbpfException.atColumn(index, column + offset, "'" + value + "' is not a number");
            }
            boolean negative = trimmed.startsWith("-");
            String digits = negative ? trimmed.substring(1) : trimmed;
            long magnitude;
            try {
                magnitude = digits.startsWith("0x") ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
            } catch (NumberFormatException e) {
                magnitude = Long.MAX_VALUE;
            }
            long result = negative ? -magnitude : magnitude;
            if (result < Integer.MIN_VALUE || result > 0xffff_ffffL) {
                throw CbpfException.atColumn(index, column + offset, trimmed + " does not fit in 32 bits");
            }
            return (int) result;
        }
    }
}

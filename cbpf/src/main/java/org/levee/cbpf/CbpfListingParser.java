package org.levee.cbpf;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
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
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?:\\((\\d+)\\)\\s*)?([a-z]+)(?:\\s+(.*?))?\\s*$");
    private static final Pattern CONDITIONAL = Pattern.compile("^(\\S+)\\s+jt\\s+(\\S+)\\s+jf\\s+(\\S+)$");
    private static final Pattern NUMBER = Pattern.compile("-?(?:0x[0-9a-fA-F]+|\\d+)");

    private static final Map<String, Integer> ALU_OPS = Map.of("add", ADD, "sub", SUB, "mul", MUL, "div", DIV,
            "mod", MOD, "and", AND, "or", OR, "xor", XOR, "lsh", LSH, "rsh", RSH);
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

    private static CbpfInstruction parseLine(String line, int index) {
        Matcher matcher = LINE.matcher(line);
        if (!matcher.matches()) {
            int column = firstNonBlank(line);
            throw CbpfException.atColumn(index, column, "expected '(NNN) op operand', found '" + line.strip() + "'");
        }
        if (matcher.group(1) != null && Integer.parseInt(matcher.group(1)) != index) {
            throw CbpfException.atColumn(index, matcher.start(1) + 1, "line number (" + matcher.group(1)
                    + ") does not match the instruction's position " + index);
        }
        String op = matcher.group(2);
        String operand = matcher.group(3) == null ? "" : matcher.group(3);
        int operandColumn = matcher.group(3) == null ? matcher.end(2) + 1 : matcher.start(3) + 1;
        Operand at = new Operand(operand, operandColumn, index);

        if (JUMP_OPS.containsKey(op)) {
            Matcher conditional = CONDITIONAL.matcher(operand);
            if (!conditional.matches()) {
                throw at.error("expected '" + op + " #k jt N jf M' or '" + op + " x jt N jf M'");
            }
            int jt = at.target(conditional.group(2), conditional.start(2), "jt");
            int jf = at.target(conditional.group(3), conditional.start(3), "jf");
            String value = conditional.group(1);
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
                return new CbpfInstruction(LD | size | IND, 0, 0, at.number(operand.substring(5, operand.length() - 1), 5));
            }
            if (operand.startsWith("[") && operand.endsWith("]")) {
                return new CbpfInstruction(LD | size | ABS, 0, 0, at.number(operand.substring(1, operand.length() - 1), 1));
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
            default -> throw CbpfException.atColumn(index, matcher.start(2) + 1, "unknown instruction '" + op + "'");
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

    private static int firstNonBlank(String line) {
        int i = 0;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i + 1;
    }

    /** The operand text of one line, for numbers and errors that name the column. */
    private record Operand(String text, int column, int index) {
        CbpfException error(String problem) {
            return CbpfException.atColumn(index, column, problem + ", found '" + text + "'");
        }

        /** {@code #k} at {@code offset} of the operand. */
        int immediate(String value, int offset) {
            if (!value.startsWith("#")) {
                throw CbpfException.atColumn(index, column + offset, "expected an immediate '#k', found '" + value + "'");
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
                throw CbpfException.atColumn(index, column + 2, "scratch word " + word + " is out of range 0.."
                        + (MEMORY_WORDS - 1));
            }
            return word;
        }

        /** An absolute jump target after this line, returned relative to the next line. */
        int target(String value, int offset, String what) {
            int target = number(value, offset);
            int relative = target - index - 1;
            // A backward ja is representable (libpcap's protochain emits one); the validator refuses it.
            if (!what.equals("ja") && (relative < 0 || relative > 0xff)) {
                throw CbpfException.atColumn(index, column + offset, what + " target " + target
                        + " must be after this instruction and at most 256 further");
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
                throw CbpfException.atColumn(index, column + offset, value + " does not fit in 32 bits");
            }
            return (int) result;
        }
    }
}

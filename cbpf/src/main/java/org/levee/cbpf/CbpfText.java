package org.levee.cbpf;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;

/**
 * The text forms of classic BPF that tools exchange:
 *
 * <ul>
 *   <li>{@code tcpdump -ddd}: a line with the instruction count, then one {@code code jt jf k}
 *       line per instruction, in decimal;
 *   <li>the comma bytecode of iptables' bpf match, xdpcap and friends:
 *       {@code N,code jt jf k,code jt jf k,...};
 *   <li>{@code tcpdump -dd}: a C array initialiser (print only);
 *   <li>{@code tcpdump -d}: the assembly listing, e.g. {@code (001) jeq #0x800 jt 2 jf 5}.
 * </ul>
 *
 * Parse errors are {@link CbpfException}s naming the instruction index and the 1-based column
 * (of the instruction's line for -ddd, of the whole text for the comma form).
 */
public final class CbpfText {
    private CbpfText() {}

    // ---- tcpdump -ddd ----

    /** Parses {@code tcpdump -ddd} output. Blank lines at the end are ignored. */
    public static CbpfProgram parseDdd(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        if (lines.isEmpty()) {
            throw new CbpfException("empty text: expected a count line, then one 'code jt jf k' line per instruction");
        }
        int count = parseCount(lines.getFirst(), 0);
        int found = lines.size() - 1;
        if (found != count) {
            throw countMismatch(count, found);
        }
        List<CbpfInstruction> instructions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String line = lines.get(i + 1);
            instructions.add(parseFields(line, 0, line.length(), 0, i, " (line " + (i + 2) + ")"));
        }
        return new CbpfProgram(instructions);
    }

    /** Prints {@code program} exactly as {@code tcpdump -ddd} does (each line ends in a newline). */
    public static String printDdd(CbpfProgram program) {
        StringBuilder text = new StringBuilder().append(program.size()).append('\n');
        for (CbpfInstruction insn : program.instructions()) {
            text.append(insn.code())
                    .append(' ')
                    .append(insn.jt())
                    .append(' ')
                    .append(insn.jf())
                    .append(' ')
                    .append(Integer.toUnsignedString(insn.k()))
                    .append('\n');
        }
        return text.toString();
    }

    // ---- N,code jt jf k,... ----

    /** Parses the comma bytecode {@code N,code jt jf k,...}; whitespace around it is ignored. */
    public static CbpfProgram parseBytecode(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            throw new CbpfException("empty bytecode: expected 'N,code jt jf k,...'");
        }
        // [start, end, start of its line) of each comma-separated part, found in one pass: columns
        // count from the line's start, and looking for it per field made long texts quadratic.
        List<int[]> segments = new ArrayList<>();
        int segmentStart = start;
        int lineStart = text.lastIndexOf('\n', start - 1) + 1; // blanks before the count may hold newlines
        int segmentLine = lineStart;
        for (int i = start; i <= end; i++) {
            if (i == end || text.charAt(i) == ',') {
                segments.add(new int[] {segmentStart, i, segmentLine});
                segmentStart = i + 1;
                segmentLine = lineStart;
            } else if (text.charAt(i) == '\n') {
                lineStart = i + 1;
            }
        }
        int[] countSegment = segments.getFirst();
        int count = parseCount(text.substring(countSegment[0], countSegment[1]), countSegment[0]);
        int found = segments.size() - 1;
        if (found != count) {
            throw countMismatch(count, found);
        }
        List<CbpfInstruction> instructions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] segment = segments.get(i + 1);
            instructions.add(parseFields(text, segment[0], segment[1], segment[2], i, ""));
        }
        return new CbpfProgram(instructions);
    }

    /** Prints {@code program} as {@code N,code jt jf k,...} (no trailing comma or newline). */
    public static String printBytecode(CbpfProgram program) {
        StringBuilder text = new StringBuilder().append(program.size());
        for (CbpfInstruction insn : program.instructions()) {
            text.append(',')
                    .append(insn.code())
                    .append(' ')
                    .append(insn.jt())
                    .append(' ')
                    .append(insn.jf())
                    .append(' ')
                    .append(Integer.toUnsignedString(insn.k()));
        }
        return text.toString();
    }

    // ---- tcpdump -dd ----

    /** Prints {@code program} as {@code tcpdump -dd} does: one C initialiser line per instruction. */
    public static String printC(CbpfProgram program) {
        StringBuilder text = new StringBuilder();
        for (CbpfInstruction insn : program.instructions()) {
            text.append(String.format("{ 0x%x, %d, %d, 0x%08x },\n", insn.code(), insn.jt(), insn.jf(), insn.k()));
        }
        return text.toString();
    }

    // ---- tcpdump -d ----

    /**
     * Parses an assembly listing as {@code tcpdump -d} and {@link #printListing} print it
     * ({@code (001) jeq #0x800 jt 2 jf 5}; the {@code (NNN)} prefix is optional, jump targets are
     * absolute). Fields the listing does not show are 0 (libpcap itself sometimes leaves other
     * values there, e.g. {@code tax} with k = 5, so a listing is not a lossless form: -ddd is).
     * Errors name the instruction index and the column of its line.
     */
    public static CbpfProgram parseListing(String text) {
        return CbpfListingParser.parse(text);
    }

    /** Prints the assembly listing of {@code tcpdump -d}, one line per instruction. */
    public static String printListing(CbpfProgram program) {
        StringBuilder text = new StringBuilder();
        for (int n = 0; n < program.size(); n++) {
            text.append(listingLine(program.get(n), n)).append('\n');
        }
        return text.toString();
    }

    /** One line of the {@code tcpdump -d} listing for instruction {@code insn} at index {@code n}. */
    public static String listingLine(CbpfInstruction insn, int n) {
        int k = insn.k();
        String hex = "#0x" + Integer.toHexString(k);
        String dec = "#" + k;
        String[] opAndOperand = switch (insn.code()) {
            case RET | K -> new String[] {"ret", dec};
            case RET | A -> new String[] {"ret", ""};
            case LD | W | ABS -> new String[] {"ld", "[" + k + "]"};
            case LD | H | ABS -> new String[] {"ldh", "[" + k + "]"};
            case LD | B | ABS -> new String[] {"ldb", "[" + k + "]"};
            case LD | W | LEN -> new String[] {"ld", "#pktlen"};
            case LD | W | IND -> new String[] {"ld", "[x + " + k + "]"};
            case LD | H | IND -> new String[] {"ldh", "[x + " + k + "]"};
            case LD | B | IND -> new String[] {"ldb", "[x + " + k + "]"};
            case LD | W | IMM -> new String[] {"ld", hex};
            case LDX | W | IMM -> new String[] {"ldx", hex};
            case LDX | W | LEN -> new String[] {"ldx", "#pktlen"};
            case LDX | B | MSH -> new String[] {"ldxb", "4*([" + k + "]&0xf)"};
            case LD | W | MEM -> new String[] {"ld", "M[" + k + "]"};
            case LDX | W | MEM -> new String[] {"ldx", "M[" + k + "]"};
            case ST -> new String[] {"st", "M[" + k + "]"};
            case STX -> new String[] {"stx", "M[" + k + "]"};
            case JMP | JA -> new String[] {"ja", Integer.toString(n + 1 + k)}; // as libpcap: wraps like C
            case JMP | JGT | K -> new String[] {"jgt", hex};
            case JMP | JGE | K -> new String[] {"jge", hex};
            case JMP | JEQ | K -> new String[] {"jeq", hex};
            case JMP | JSET | K -> new String[] {"jset", hex};
            case JMP | JGT | X -> new String[] {"jgt", "x"};
            case JMP | JGE | X -> new String[] {"jge", "x"};
            case JMP | JEQ | X -> new String[] {"jeq", "x"};
            case JMP | JSET | X -> new String[] {"jset", "x"};
            case ALU | ADD | X -> new String[] {"add", "x"};
            case ALU | SUB | X -> new String[] {"sub", "x"};
            case ALU | MUL | X -> new String[] {"mul", "x"};
            case ALU | DIV | X -> new String[] {"div", "x"};
            case ALU | MOD | X -> new String[] {"mod", "x"};
            case ALU | AND | X -> new String[] {"and", "x"};
            case ALU | OR | X -> new String[] {"or", "x"};
            case ALU | XOR | X -> new String[] {"xor", "x"};
            case ALU | LSH | X -> new String[] {"lsh", "x"};
            case ALU | RSH | X -> new String[] {"rsh", "x"};
            case ALU | ADD | K -> new String[] {"add", dec};
            case ALU | SUB | K -> new String[] {"sub", dec};
            case ALU | MUL | K -> new String[] {"mul", dec};
            case ALU | DIV | K -> new String[] {"div", dec};
            case ALU | MOD | K -> new String[] {"mod", dec};
            case ALU | AND | K -> new String[] {"and", hex};
            case ALU | OR | K -> new String[] {"or", hex};
            case ALU | XOR | K -> new String[] {"xor", hex};
            case ALU | LSH | K -> new String[] {"lsh", dec};
            case ALU | RSH | K -> new String[] {"rsh", dec};
            case ALU | NEG -> new String[] {"neg", ""};
            case MISC | TAX -> new String[] {"tax", ""};
            case MISC | TXA -> new String[] {"txa", ""};
            default -> new String[] {"unimp", "0x" + Integer.toHexString(insn.code())};
        };
        if (insn.isConditionalJump()) {
            return String.format(
                    "(%03d) %-8s %-16s jt %d\tjf %d",
                    n, opAndOperand[0], opAndOperand[1], n + 1 + insn.jt(), n + 1 + insn.jf());
        }
        return String.format("(%03d) %-8s %s", n, opAndOperand[0], opAndOperand[1]);
    }

    // ---- parsing helpers ----

    private static int parseCount(String field, int columnBase) {
        String trimmed = field.strip();
        int column = columnBase + field.indexOf(trimmed.isEmpty() ? field : trimmed) + 1;
        if (trimmed.isEmpty()) {
            throw CbpfException.inCount(columnBase + 1, "missing the instruction count");
        }
        if (!isDigits(trimmed)) {
            throw CbpfException.inCount(column, "the instruction count '" + trimmed + "' is not a decimal number");
        }
        long count = parseUnsigned(trimmed);
        if (count < 1 || count > CbpfValidator.MAX_INSTRUCTIONS) {
            throw CbpfException.inCount(
                    column,
                    "the instruction count " + trimmed + " is out of range 1.." + CbpfValidator.MAX_INSTRUCTIONS);
        }
        return (int) count;
    }

    private static CbpfException countMismatch(int count, int found) {
        if (found < count) {
            return CbpfException.atInstruction(
                    found, "missing: the count says " + count + " instructions but only " + found + " follow");
        }
        return CbpfException.atInstruction(
                count, "unexpected: the count says " + count + " instructions but " + found + " follow");
    }

    private static final String[] FIELD = {"code", "jt", "jf", "k"};
    private static final long[] FIELD_MAX = {0xffff, 0xff, 0xff, 0xffff_ffffL};

    /** Parses the four numbers in text[start, end), on the line starting at {@code lineStart}, as instruction {@code index}. */
    private static CbpfInstruction parseFields(
            String text, int start, int end, int lineStart, int index, String where) {
        long[] values = new long[4];
        int field = 0;
        int i = start;
        while (true) {
            while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            int tokenStart = i;
            while (i < end && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                i++;
            }
            String token = text.substring(tokenStart, i);
            int column = tokenStart - lineStart + 1;
            if (field == 4) {
                throw CbpfException.atColumn(
                        index, column, "unexpected '" + token + "' after the four numbers 'code jt jf k'" + where);
            }
            if (!isDigits(token)) {
                throw CbpfException.atColumn(
                        index, column, FIELD[field] + " '" + token + "' is not a decimal number" + where);
            }
            long value = parseUnsigned(token);
            if (value > FIELD_MAX[field]) {
                throw CbpfException.atColumn(
                        index, column, FIELD[field] + " " + token + " is out of range 0.." + FIELD_MAX[field] + where);
            }
            values[field++] = value;
        }
        if (field < 4) {
            throw CbpfException.atColumn(
                    index,
                    end - lineStart + 1,
                    "missing " + FIELD[field] + ": expected four numbers 'code jt jf k', found " + field + where);
        }
        return new CbpfInstruction((int) values[0], (int) values[1], (int) values[2], (int) values[3]);
    }

    private static boolean isDigits(String token) {
        if (token.isEmpty()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** A digit string's value, saturated at Long.MAX_VALUE (so "huge" numbers report out of range). */
    private static long parseUnsigned(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = value * 10 + (digits.charAt(i) - '0');
            if (value > 0xffff_ffffL) {
                return Long.MAX_VALUE;
            }
        }
        return value;
    }
}

package org.levee.compiler;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.levee.compiler.flow.ByteOrder;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.PacketGuards;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.Values;
import org.levee.ebpf.asm.AluOp;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.JumpOp;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * Writes a {@link Compilation} as an eBPF fragment. A and X live in the low 32 bits of their
 * registers with the upper bits zero (every write is a 32-bit operation or a zero-extending
 * load), comparisons are JMP32. Returns go straight to the caller's match and no-match labels
 * (cbpfc sets a result register and tests it again). A final clean-up drops jumps to the next
 * instruction and code after an unconditional jump that no label reaches.
 */
public final class EbpfEmitter {
    private EbpfEmitter() {}

    /** Largest packet offset an eBPF load's 16-bit offset field holds. */
    private static final int MAX_INSN_OFFSET = Short.MAX_VALUE;

    private sealed interface Line {}

    private record Plain(Instruction insn) implements Line {}

    private record Goto(String label) implements Line {}

    private record Branch(JumpOp op, boolean wide, Register dst, Register src, int imm, String label) implements Line {}

    private record Mark(String label) implements Line {}

    /**
     * What {@link #emit} appended.
     *
     * @param instructions  the fragment's instruction count
     * @param reachesMatch  whether some path goes to the match label (else the caller must not
     *                      put code there that only the fragment would reach: the verifier
     *                      refuses unreachable code)
     * @param reachesNoMatch whether some path goes to the no-match label (with exit labels: to any of them)
     * @param targets       every label outside the fragment some path goes to, the following label
     *                      included when the fragment falls off its end
     */
    public record Emitted(int instructions, boolean reachesMatch, boolean reachesNoMatch, Set<String> targets) {
        public Emitted {
            targets = Set.copyOf(targets);
        }
    }

    /** Appends the fragment for {@code compilation} to {@code assembler}. */
    public static Emitted emit(Compilation compilation, FragmentLayout layout, Assembler assembler) {
        return emit(compilation, layout, assembler, null);
    }

    /**
     * Appends the fragment with each way of not matching going to its own label: {@code exitLabels}
     * names the label of each of {@link Compilation#exits} (which the compilation must have); the
     * layout's no-match label is not used.
     */
    public static Emitted emit(
            Compilation compilation, FragmentLayout layout, Assembler assembler, Function<Exit, String> exitLabels) {
        Writer writer = new Writer(compilation, layout, exitLabels);
        List<Line> lines = writer.write();
        Set<String> local = new HashSet<>();
        for (Line line : lines) {
            if (line instanceof Mark m) {
                local.add(m.label);
            }
        }
        Set<String> targets = new LinkedHashSet<>();
        for (Line line : lines) {
            String target = line instanceof Goto g ? g.label : line instanceof Branch b ? b.label : null;
            if (target != null && !local.contains(target)) {
                targets.add(target);
            }
        }
        // Falling off the end (or an empty fragment) goes to the caller's following label.
        if ((lines.isEmpty() || !(lines.getLast() instanceof Goto)) && layout.followingLabel() != null) {
            targets.add(layout.followingLabel());
        }
        boolean match = targets.contains(layout.matchLabel());
        boolean noMatch = exitLabels == null
                ? targets.contains(layout.noMatchLabel())
                : targets.stream().anyMatch(writer.exitLabelSet()::contains);
        int count = 0;
        for (Line line : lines) {
            switch (line) {
                case Plain p -> {
                    assembler.emit(p.insn);
                    count++;
                }
                case Goto g -> {
                    assembler.ja(g.label);
                    count++;
                }
                case Branch b -> {
                    if (b.src != null) {
                        if (b.wide) {
                            assembler.jump(b.op, b.dst, b.src, b.label);
                        } else {
                            assembler.jump32(b.op, b.dst, b.src, b.label);
                        }
                    } else if (b.wide) {
                        assembler.jump(b.op, b.dst, b.imm, b.label);
                    } else {
                        assembler.jump32(b.op, b.dst, b.imm, b.label);
                    }
                    count++;
                }
                case Mark m -> assembler.label(m.label);
            }
        }
        return new Emitted(count, match, noMatch, targets);
    }

    private static final class Writer {
        private final Compilation c;
        private final Flow flow;
        private final FragmentLayout l;
        private final PacketGuards.Plan plan;
        private final ByteOrder.Decision order;
        private final BitSet divisionGuards;
        private final Map<ExitSite, String> exitLabels = new HashMap<>();
        private final boolean byExit;
        private final List<Line> lines = new ArrayList<>();

        Writer(Compilation compilation, FragmentLayout layout, Function<Exit, String> labels) {
            this.c = compilation;
            this.flow = compilation.flow();
            this.l = layout;
            this.plan = compilation.guards();
            this.order = compilation.byteOrder();
            this.divisionGuards = compilation.divisionGuards();
            this.byExit = labels != null;
            if (byExit) {
                for (Exit exit : compilation.exits()) {
                    exitLabels.put(new ExitSite(exit.kind(), exit.instruction()), labels.apply(exit));
                }
            }
        }

        /** Where an exit leaves: one of each kind per instruction at most. */
        private record ExitSite(Exit.Kind kind, int instruction) {}

        /** Where the fragment goes when it does not match at instruction {@code i}, for {@code kind}. */
        private String exit(Exit.Kind kind, int i) {
            if (!byExit) {
                return l.noMatchLabel();
            }
            String label = exitLabels.get(new ExitSite(kind, i));
            if (label == null) {
                throw new IllegalStateException("the compilation has no " + kind + " exit at instruction " + i);
            }
            return label;
        }

        Set<String> exitLabelSet() {
            return Set.copyOf(exitLabels.values());
        }

        List<Line> write() {
            BitSet zeroed = c.zeroed();
            if (zeroed.get(Values.A_SLOT)) {
                add(Instruction.mov32(l.a(), 0));
            }
            if (zeroed.get(Values.X_SLOT)) {
                add(Instruction.mov32(l.x(), 0));
            }
            for (int w = 0; w < MEMORY_WORDS; w++) {
                if (zeroed.get(2 + w)) {
                    add(Instruction.st(Size.DW, Register.R10, scratch(w), 0));
                }
            }
            if (isRetK(0)) {
                lines.add(new Goto(label(0)));
            }
            BitSet targets = flow.jumpTargets();
            for (int i = 0; i < flow.size(); i++) {
                if (targets.get(i) && !isRetK(i)) {
                    lines.add(new Mark(local(i)));
                }
                instruction(i);
                Op op = flow.get(i);
                if (!op.isReturn() && !op.isJa() && !op.isConditional() && isRetK(i + 1)) {
                    lines.add(new Goto(label(i + 1))); // a ret #k has no code of its own
                }
            }
            return cleanUp(lines);
        }

        private boolean isRetK(int i) {
            return flow.get(i).code() == (RET | K);
        }

        private String local(int i) {
            return l.labelPrefix() + i;
        }

        /** The label of instruction {@code i}: a {@code ret #k} is the match or no-match label itself. */
        private String label(int i) {
            Op op = flow.get(i);
            if (op.code() == (RET | K)) {
                return op.k() != 0 ? l.matchLabel() : exit(Exit.Kind.REJECT, i);
            }
            return local(i);
        }

        private int scratch(int word) {
            return l.scratchOffset() + 8 * word;
        }

        private void add(Instruction insn) {
            lines.add(new Plain(insn));
        }

        private void instruction(int i) {
            Op op = flow.get(i);
            Register a = l.a();
            Register x = l.x();
            switch (op.opClass()) {
                case LD -> {
                    switch (op.mode()) {
                        case ABS -> {
                            if (!absoluteGuard(i)) {
                                return;
                            }
                            load(size(op), a, l.packetStart(), op.unsignedK());
                            swap(op, i);
                        }
                        case IND -> {
                            if (!indirectGuard(i)) {
                                return;
                            }
                            load(size(op), a, l.pointer(), op.unsignedK() - plan.pointerAt(i));
                            swap(op, i);
                        }
                        case IMM -> add(Instruction.mov32(a, op.k()));
                        case LEN -> length(a);
                        default -> add(Instruction.ldx(Size.DW, a, Register.R10, scratch(op.k())));
                    }
                }
                case LDX -> {
                    switch (op.mode()) {
                        case IMM -> add(Instruction.mov32(x, op.k()));
                        case LEN -> length(x);
                        case MSH -> {
                            if (!absoluteGuard(i)) {
                                return;
                            }
                            load(Size.B, x, l.packetStart(), op.unsignedK());
                            add(Instruction.alu32(AluOp.AND, x, 0xf));
                            add(Instruction.alu32(AluOp.LSH, x, 2));
                        }
                        default -> add(Instruction.ldx(Size.DW, x, Register.R10, scratch(op.k())));
                    }
                }
                // Whole 8-byte slots: A and X have zero upper halves, and the verifier keeps the
                // bounds of a register spilled whole (not of a 4-byte spill).
                case ST -> add(Instruction.stx(Size.DW, Register.R10, scratch(op.k()), a));
                case STX -> add(Instruction.stx(Size.DW, Register.R10, scratch(op.k()), x));
                case ALU -> alu(op, i);
                case JMP -> jump(op, i);
                case RET -> {
                    if (op.code() != (RET | K)) { // ret #k is the match or no-match label itself
                        lines.add(new Branch(JumpOp.JNE, false, a, null, 0, l.matchLabel()));
                        lines.add(new Goto(exit(Exit.Kind.REJECT, i)));
                    }
                }
                case MISC -> {
                    if ((op.code() & 0xf8) == TAX) {
                        add(Instruction.mov32(x, a));
                    } else {
                        add(Instruction.mov32(a, x));
                    }
                }
                default -> throw new IllegalStateException("instruction " + i + ": unexpected " + op);
            }
        }

        private static Size size(Op op) {
            return switch (op.width()) {
                case 4 -> Size.W;
                case 2 -> Size.H;
                default -> Size.B;
            };
        }

        /** {@code dst = packet length}: the difference of the two packet pointers. */
        private void length(Register dst) {
            add(Instruction.mov64(dst, l.packetEnd()));
            add(Instruction.sub64(dst, l.packetStart()));
        }

        /** Loads from {@code base + offset}, through the temp register when the offset does not fit 16 bits. */
        private void load(Size size, Register dst, Register base, long offset) {
            if (offset >= Short.MIN_VALUE && offset <= MAX_INSN_OFFSET) {
                add(Instruction.ldx(size, dst, base, (int) offset));
            } else {
                add(Instruction.mov64(l.temp(), base));
                add(Instruction.add64(l.temp(), (int) offset));
                add(Instruction.ldx(size, dst, l.temp(), 0));
            }
        }

        private void swap(Op op, int i) {
            if (op.width() > 1 && !order.rawLoads().get(i)) {
                add(Instruction.toBigEndian(l.a(), op.width() * 8));
            }
        }

        /** Emits instruction i's absolute guard, if any; false when the instruction can never succeed. */
        private boolean absoluteGuard(int i) {
            int bytes = plan.guard()[i];
            if (bytes == PacketGuards.FAILS) {
                lines.add(new Goto(exit(Exit.Kind.PACKET_GUARD, i)));
                return false;
            }
            if (bytes > 0) {
                add(Instruction.mov64(l.temp(), l.packetStart()));
                add(Instruction.add64(l.temp(), bytes));
                lines.add(new Branch(JumpOp.JGT, true, l.temp(), l.packetEnd(), 0, exit(Exit.Kind.PACKET_GUARD, i)));
            }
            return true;
        }

        /**
         * Emits the guard of indirect load i, if any: the pointer register becomes
         * {@code start + X + bytes} and is compared with the packet end, which proves
         * {@code bytes} bytes after {@code start + X} to the verifier.
         */
        private boolean indirectGuard(int i) {
            int bytes = plan.guard()[i];
            if (bytes == PacketGuards.FAILS) {
                lines.add(new Goto(exit(Exit.Kind.PACKET_GUARD, i)));
                return false;
            }
            if (bytes == 0) {
                return true;
            }
            int before = plan.pointerBefore()[i];
            Register p = l.pointer();
            // The verifier learns a range from "pointer > end" only when the pointer's largest
            // variable part plus its constant offset stays within 65535: X must be known to be
            // at most 65535 - bytes. Beyond that, start + X + bytes is past any XDP packet.
            boolean small = verifierBound(c.values().x(i)) <= PacketGuards.MAX_PACKET - bytes;
            if (before > 0 && small) {
                add(Instruction.add64(p, bytes - before));
            } else {
                if (!small) {
                    lines.add(new Branch(
                            JumpOp.JGT,
                            true,
                            l.x(),
                            null,
                            PacketGuards.MAX_PACKET - bytes,
                            exit(Exit.Kind.PACKET_GUARD, i)));
                }
                add(Instruction.mov64(p, l.x()));
                add(Instruction.add64(p, l.packetStart()));
                add(Instruction.add64(p, bytes));
            }
            lines.add(new Branch(JumpOp.JGT, true, p, l.packetEnd(), 0, exit(Exit.Kind.PACKET_GUARD, i)));
            return true;
        }

        /**
         * The largest value the verifier itself knows {@code v} to have: byte loads, and masks and
         * shifts of them by constants, which it tracks exactly; otherwise unbounded.
         */
        private static long verifierBound(Value v) {
            return switch (v) {
                case Value.Load load when load.width() == 1 -> 0xff;
                case Value.IndirectLoad load when load.width() == 1 -> 0xff;
                case Value.Alu alu
                when alu.b() instanceof Value.Const c ->
                    switch (alu.op()) {
                        case AND -> Math.min(Integer.toUnsignedLong(c.k()), verifierBound(alu.a()));
                        case LSH -> {
                            long bound = verifierBound(alu.a());
                            yield bound <= 0xffff ? bound << (c.k() & 31) : Long.MAX_VALUE;
                        }
                        case RSH -> verifierBound(alu.a()) >>> (c.k() & 31);
                        default -> Long.MAX_VALUE;
                    };
                default -> Long.MAX_VALUE;
            };
        }

        private void alu(Op op, int i) {
            Register a = l.a();
            AluOp aluOp = switch (op.op()) {
                case ADD -> AluOp.ADD;
                case SUB -> AluOp.SUB;
                case MUL -> AluOp.MUL;
                case DIV -> AluOp.DIV;
                case MOD -> AluOp.MOD;
                case OR -> AluOp.OR;
                case AND -> AluOp.AND;
                case XOR -> AluOp.XOR;
                case LSH -> AluOp.LSH;
                case RSH -> AluOp.RSH;
                case NEG -> AluOp.NEG;
                default -> throw new IllegalStateException("instruction " + i + ": unknown ALU operation " + op);
            };
            if (aluOp == AluOp.NEG) {
                add(Instruction.neg32(a));
                return;
            }
            if (op.src() == X) {
                if (divisionGuards.get(i)) {
                    lines.add(new Branch(JumpOp.JEQ, true, l.x(), null, 0, exit(Exit.Kind.DIVISION_GUARD, i)));
                }
                add(Instruction.alu32(aluOp, a, l.x()));
                return;
            }
            int k = op.k();
            if (aluOp == AluOp.LSH || aluOp == AluOp.RSH) {
                k &= 31; // the interpreter and the kernel use the low 5 bits of the amount
                if (k == 0) {
                    return;
                }
            }
            add(Instruction.alu32(aluOp, a, k));
        }

        private void jump(Op op, int i) {
            if (op.isJa()) {
                lines.add(new Goto(label(op.jt())));
                return;
            }
            JumpOp jumpOp = switch (op.op()) {
                case JEQ -> JumpOp.JEQ;
                case JGT -> JumpOp.JGT;
                case JGE -> JumpOp.JGE;
                default -> JumpOp.JSET;
            };
            Register src = op.src() == X ? l.x() : null;
            int imm = op.k();
            if (src == null && order.rawJumps().get(i)) {
                imm = ByteOrder.swapped(imm, order.jumpWidth()[i]);
            }
            String taken = label(op.jt());
            String notTaken = label(op.jf());
            String next = nextLabel(i);
            if (notTaken.equals(next)) {
                lines.add(new Branch(jumpOp, false, l.a(), src, imm, taken));
            } else if (taken.equals(next) && jumpOp != JumpOp.JSET) {
                lines.add(new Branch(inverse(jumpOp), false, l.a(), src, imm, notTaken));
            } else {
                lines.add(new Branch(jumpOp, false, l.a(), src, imm, taken));
                lines.add(new Goto(notTaken));
            }
        }

        /** The label of the code that follows instruction i's code ({@code ret #k} has none). */
        private String nextLabel(int i) {
            for (int j = i + 1; j < flow.size(); j++) {
                if (!isRetK(j)) {
                    return local(j);
                }
            }
            return l.followingLabel();
        }

        private static JumpOp inverse(JumpOp op) {
            return switch (op) {
                case JEQ -> JumpOp.JNE;
                case JGT -> JumpOp.JLE;
                case JGE -> JumpOp.JLT;
                default -> throw new IllegalArgumentException("no inverse for " + op);
            };
        }

        /**
         * Drops lines no path reaches (after a guard that always fails, say) and jumps to the
         * label that comes next anyway, including the caller's following label, until neither
         * finds anything: the verifier refuses unreachable instructions.
         */
        private List<Line> cleanUp(List<Line> input) {
            List<Line> current = input;
            while (true) {
                List<Line> reachable = reachableLines(current);
                List<Line> result = new ArrayList<>();
                for (int i = 0; i < reachable.size(); i++) {
                    Line line = reachable.get(i);
                    if (line instanceof Goto g && labelFollows(reachable, i + 1, g.label)) {
                        continue;
                    }
                    result.add(line);
                }
                if (result.equals(current)) {
                    return result;
                }
                current = result;
            }
        }

        private static List<Line> reachableLines(List<Line> lines) {
            java.util.Map<String, Integer> marks = new java.util.HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i) instanceof Mark m) {
                    marks.put(m.label, i);
                }
            }
            boolean[] live = new boolean[lines.size()];
            java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
            if (!lines.isEmpty()) {
                work.push(0);
            }
            while (!work.isEmpty()) {
                int i = work.pop();
                if (i >= lines.size() || live[i]) {
                    continue;
                }
                live[i] = true;
                Line line = lines.get(i);
                String target = line instanceof Goto g ? g.label : line instanceof Branch b ? b.label : null;
                if (target != null && marks.containsKey(target)) {
                    work.push(marks.get(target));
                }
                if (!(line instanceof Goto)) {
                    work.push(i + 1);
                }
            }
            List<Line> result = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (live[i]) {
                    result.add(lines.get(i));
                }
            }
            return result;
        }

        private boolean labelFollows(List<Line> lines, int from, String label) {
            for (int j = from; j < lines.size(); j++) {
                if (!(lines.get(j) instanceof Mark m)) {
                    return false;
                }
                if (m.label.equals(label)) {
                    return true;
                }
            }
            return label.equals(l.followingLabel());
        }
    }
}

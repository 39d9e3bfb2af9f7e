package org.levee.ebpf.asm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The smallest bpf(2) client that lets these tests ask the kernel what an instruction means:
 * load a socket filter (BPF_PROG_LOAD) and run it once on a 64-byte packet whose byte i is i (BPF_PROG_TEST_RUN),
 * returning r0. Test-only: the ebpf module's syscall layer is the real client.
 */
final class TestRunner {
    private TestRunner() {}

    private static final long SYS_BPF = 321; // x86_64
    private static final long SYS_CLOSE = 3;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TEST_RUN = 10;
    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;

    private static final StructLayout ERRNO = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = ERRNO.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /** Loads {@code program} as a socket filter, runs it once, returns r0 (low 32 bits, as the kernel reports it). */
    static int run(List<Instruction> program) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] code = InstructionCodec.encode(program);
            MemorySegment insns = arena.allocate(code.length, 8).copyFrom(MemorySegment.ofArray(code));
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            int logSize = 1 << 20;
            MemorySegment log = arena.allocate(logSize);

            MemorySegment load = arena.allocate(128, 8);
            load.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_SOCKET_FILTER);
            load.set(ValueLayout.JAVA_INT, 4, code.length / InstructionCodec.SLOT_BYTES);
            load.set(ValueLayout.JAVA_LONG, 8, insns.address());
            load.set(ValueLayout.JAVA_LONG, 16, license.address());
            load.set(ValueLayout.JAVA_INT, 24, 1);
            load.set(ValueLayout.JAVA_INT, 28, logSize);
            load.set(ValueLayout.JAVA_LONG, 32, log.address());
            long fd = bpf(arena, BPF_PROG_LOAD, load);
            if (fd < 0) {
                throw new IllegalStateException("BPF_PROG_LOAD failed, errno " + -fd + "; verifier log:\n"
                        + log.getString(0, StandardCharsets.US_ASCII) + "\nprogram:\n" + new Disassembler().disassemble(program));
            }
            try {
                MemorySegment packet = arena.allocate(64);
                for (int i = 0; i < 64; i++) {
                    packet.set(ValueLayout.JAVA_BYTE, i, (byte) i); // byte i of the packet is i
                }
                MemorySegment testRun = arena.allocate(80, 8);
                testRun.set(ValueLayout.JAVA_INT, 0, (int) fd);
                testRun.set(ValueLayout.JAVA_INT, 8, (int) packet.byteSize());
                testRun.set(ValueLayout.JAVA_LONG, 16, packet.address());
                testRun.set(ValueLayout.JAVA_INT, 32, 1);
                long result = bpf(arena, BPF_PROG_TEST_RUN, testRun);
                if (result < 0) {
                    throw new IllegalStateException("BPF_PROG_TEST_RUN failed, errno " + -result);
                }
                return testRun.get(ValueLayout.JAVA_INT, 4);
            } finally {
                call(arena, SYS_CLOSE, fd, 0, 0);
            }
        }
    }

    /** The syscall's result, or minus errno on failure. */
    private static long bpf(Arena arena, int command, MemorySegment attr) {
        return call(arena, SYS_BPF, command, attr.address(), attr.byteSize());
    }

    private static long call(Arena arena, long number, long a, long b, long c) {
        MemorySegment errno = arena.allocate(ERRNO);
        try {
            long result = (long) SYSCALL.invokeExact(errno, number, a, b, c);
            return result < 0 ? -(int) ERRNO_VALUE.get(errno, 0L) : result;
        } catch (Throwable e) {
            throw new IllegalStateException("syscall " + number + " could not be called", e);
        }
    }
}

package org.levee.ebpf.asm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The smallest bpf(2) client that lets these tests ask the kernel what an instruction means:
 * create an array map, load a socket filter, run it once on a 64-byte packet whose byte i is i,
 * read back its xlated instructions. Test-only: the ebpf module's syscall layer is the real client.
 */
public final class KernelClient {
    private KernelClient() {}

    private static final long SYS_BPF = 321; // x86_64
    private static final long SYS_CLOSE = 3;
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TEST_RUN = 10;
    private static final int BPF_OBJ_GET_INFO_BY_FD = 15;
    private static final int BPF_MAP_TYPE_ARRAY = 2;
    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;

    private static final StructLayout ERRNO = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = ERRNO.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    @SuppressWarnings("restricted") // tests run with --enable-native-access
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /** Loads {@code program} as a socket filter, runs it once, returns r0 (low 32 bits, as the kernel reports it). */
    public static int run(List<Instruction> program) {
        int fd = loadSocketFilter(program);
        try {
            return testRun(fd);
        } finally {
            close(fd);
        }
    }

    /** An array map of {@code entries} values of {@code valueSize} bytes with 4-byte keys; returns its fd. */
    public static int createArrayMap(int valueSize, int entries) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(72, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_MAP_TYPE_ARRAY);
            attr.set(ValueLayout.JAVA_INT, 4, 4);
            attr.set(ValueLayout.JAVA_INT, 8, valueSize);
            attr.set(ValueLayout.JAVA_INT, 12, entries);
            return (int) check("BPF_MAP_CREATE", bpf(arena, BPF_MAP_CREATE, attr));
        }
    }

    /** Loads {@code program} as a GPL socket filter; returns its fd, or throws with the verifier's log. */
    public static int loadSocketFilter(List<Instruction> program) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] code = InstructionCodec.encode(program);
            MemorySegment insns = arena.allocate(code.length, 8).copyFrom(MemorySegment.ofArray(code));
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            int logSize = 1 << 20;
            MemorySegment log = arena.allocate(logSize);
            MemorySegment attr = arena.allocate(128, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_SOCKET_FILTER);
            attr.set(ValueLayout.JAVA_INT, 4, code.length / InstructionCodec.SLOT_BYTES);
            attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
            attr.set(ValueLayout.JAVA_LONG, 16, license.address());
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            attr.set(ValueLayout.JAVA_INT, 28, logSize);
            attr.set(ValueLayout.JAVA_LONG, 32, log.address());
            long fd = bpf(arena, BPF_PROG_LOAD, attr);
            if (fd < 0) {
                throw new IllegalStateException("BPF_PROG_LOAD failed, errno " + -fd + "; verifier log:\n"
                        + log.getString(0, StandardCharsets.US_ASCII) + "\nprogram:\n" + new Disassembler().disassemble(program));
            }
            return (int) fd;
        }
    }

    /** Loads raw instruction bytes as a socket filter: the program fd, or minus errno if the kernel refuses them. */
    public static long tryLoadSocketFilter(byte[] code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(code.length, 8).copyFrom(MemorySegment.ofArray(code));
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            MemorySegment attr = arena.allocate(128, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_SOCKET_FILTER);
            attr.set(ValueLayout.JAVA_INT, 4, code.length / InstructionCodec.SLOT_BYTES);
            attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
            attr.set(ValueLayout.JAVA_LONG, 16, license.address());
            return bpf(arena, BPF_PROG_LOAD, attr);
        }
    }

    /** Runs the program once on the 64-byte packet; returns r0's low 32 bits. */
    public static int testRun(int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(64);
            for (int i = 0; i < 64; i++) {
                packet.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            MemorySegment attr = arena.allocate(80, 8);
            attr.set(ValueLayout.JAVA_INT, 0, programFd);
            attr.set(ValueLayout.JAVA_INT, 8, (int) packet.byteSize());
            attr.set(ValueLayout.JAVA_LONG, 16, packet.address());
            attr.set(ValueLayout.JAVA_INT, 32, 1);
            check("BPF_PROG_TEST_RUN", bpf(arena, BPF_PROG_TEST_RUN, attr));
            return attr.get(ValueLayout.JAVA_INT, 4);
        }
    }

    /** The program's id and its instructions as the kernel holds them after verification (xlated). */
    public record Xlated(int id, byte[] instructions) {}

    public static Xlated xlated(int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            // struct bpf_prog_info: id at 4, xlated_prog_len at 20, xlated_prog_insns at 32.
            MemorySegment info = arena.allocate(256, 8);
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(ValueLayout.JAVA_INT, 0, programFd);
            attr.set(ValueLayout.JAVA_INT, 4, (int) info.byteSize());
            attr.set(ValueLayout.JAVA_LONG, 8, info.address());
            check("BPF_OBJ_GET_INFO_BY_FD", bpf(arena, BPF_OBJ_GET_INFO_BY_FD, attr));
            int length = info.get(ValueLayout.JAVA_INT, 20);
            MemorySegment insns = arena.allocate(length, 8);
            info.fill((byte) 0);
            info.set(ValueLayout.JAVA_INT, 20, length);
            info.set(ValueLayout.JAVA_LONG, 32, insns.address());
            attr.set(ValueLayout.JAVA_INT, 4, (int) info.byteSize());
            check("BPF_OBJ_GET_INFO_BY_FD", bpf(arena, BPF_OBJ_GET_INFO_BY_FD, attr));
            return new Xlated(info.get(ValueLayout.JAVA_INT, 4), insns.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, SYS_CLOSE, fd, 0, 0);
        }
    }

    private static long check(String command, long result) {
        if (result < 0) {
            throw new IllegalStateException(command + " failed, errno " + -result);
        }
        return result;
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

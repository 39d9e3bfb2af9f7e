package org.levee.signatures;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * The kernel's own classic BPF: the program is attached with SO_ATTACH_FILTER to one end of an
 * AF_UNIX datagram socketpair, so the kernel's checker validates it; a packet sent from the other
 * end arrives when the filter accepts it and is dropped when it returns 0. The compiler module's
 * KernelSocketFilter does the same for the compiler's tests; this small copy keeps these tests
 * independent of it.
 */
final class KernelSocketFilterHarness implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout ERRNO = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = ERRNO.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle SOCKETPAIR = function("socketpair", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SETSOCKOPT = function("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = function("send", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = function("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = arena.allocate(ERRNO);
    private final MemorySegment buffer = arena.allocate(70000);
    private final int sender;
    private final int receiver;

    /** Attaches {@code program}; throws IllegalArgumentException with errno if the kernel refuses it. */
    KernelSocketFilterHarness(CbpfProgram program) {
        try {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            check((int) SOCKETPAIR.invokeExact(errno, AF_UNIX, SOCK_DGRAM, 0, fds), "socketpair");
            sender = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            receiver = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            MemorySegment filter = arena.allocate(8L * program.size(), 8);
            for (int i = 0; i < program.size(); i++) {
                CbpfInstruction insn = program.get(i);
                filter.set(ValueLayout.JAVA_SHORT, 8L * i, (short) insn.code());
                filter.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) insn.jt());
                filter.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) insn.jf());
                filter.set(ValueLayout.JAVA_INT, 8L * i + 4, insn.k());
            }
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { u16 len; filter* }
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) program.size());
            fprog.set(ValueLayout.ADDRESS, 8, filter);
            int rc = (int) SETSOCKOPT.invokeExact(errno, receiver, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16);
            if (rc != 0) {
                int error = errno();
                close();
                throw new IllegalArgumentException("the kernel refused the filter: SO_ATTACH_FILTER errno " + error);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the kernel's filter lets {@code packet} through. */
    boolean accepts(byte[] packet) {
        try {
            MemorySegment.copy(packet, 0, buffer, ValueLayout.JAVA_BYTE, 0, packet.length);
            long sent = (long) SEND.invokeExact(errno, sender, buffer, (long) packet.length, 0);
            if (sent != packet.length) {
                throw new IllegalStateException("send returned " + sent + ", errno " + errno());
            }
            long received = (long) RECV.invokeExact(errno, receiver, buffer, buffer.byteSize(), MSG_DONTWAIT);
            if (received >= 0) {
                return true;
            }
            if (errno() == EAGAIN) {
                return false;
            }
            throw new IllegalStateException("recv failed, errno " + errno());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(errno, sender);
            ignored = (int) CLOSE.invokeExact(errno, receiver);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    private int errno() {
        return (int) ERRNO_VALUE.get(errno, 0L);
    }

    private void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed, errno " + errno());
        }
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, CAPTURE);
    }
}

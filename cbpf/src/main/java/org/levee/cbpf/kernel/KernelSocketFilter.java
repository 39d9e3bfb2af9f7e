package org.levee.cbpf.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * Runs classic BPF in the Linux kernel itself: the filter is attached with SO_ATTACH_FILTER to
 * one end of an AF_UNIX datagram socket pair, a packet is sent as a datagram from the other end,
 * and it is delivered — truncated to the filter's result — exactly when the filter returns
 * non-zero. The filter sees the datagram's bytes from offset 0 and {@code len} = its length. No
 * network is involved and no privilege is needed.
 *
 * <p>The kernel's own checker validates the program on attach; its semantics differ from
 * {@link org.levee.cbpf.CbpfInterpreter} in one corner: {@code [x + k]} wraps around at 2^32
 * there, and negative offsets reach the SKF_NET_OFF/SKF_LL_OFF areas.
 *
 * <p>Not thread-safe: one instance, one thread. Close it to release the two sockets.
 */
public final class KernelSocketFilter implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int BPF_MAXINSNS = 4096;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKETPAIR =
            function("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SETSOCKOPT =
            function("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND =
            function("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV =
            function("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = arena.allocate(CAPTURED);
    private final int receiver;
    private final int sender;
    private MemorySegment buffer = MemorySegment.NULL;
    private boolean attached;
    private boolean closed;

    private KernelSocketFilter(int receiver, int sender) {
        this.receiver = receiver;
        this.sender = sender;
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup()
                        .find(name)
                        .orElseThrow(() -> new IllegalStateException("libc has no " + name + "()")),
                descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** A new socket pair without a filter (every datagram is delivered until {@link #attach}). */
    public static KernelSocketFilter open() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment fds = local.allocate(JAVA_INT, 2);
            MemorySegment state = local.allocate(CAPTURED);
            int rc = (int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds);
            if (rc != 0) {
                throw new IllegalStateException(
                        "socketpair(AF_UNIX, SOCK_DGRAM) failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return new KernelSocketFilter(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Attaches {@code program} to the receiving socket, replacing the previous filter.
     *
     * @throws CbpfException if the kernel refuses the program (its checker's errno in the message)
     */
    public void attach(CbpfProgram program) {
        requireOpen();
        if (program.size() == 0 || program.size() > BPF_MAXINSNS) {
            throw new CbpfException("the kernel takes 1.." + BPF_MAXINSNS + " instructions, not " + program.size());
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment filter = local.allocate(8L * program.size(), 8);
            for (int i = 0; i < program.size(); i++) {
                CbpfInstruction insn = program.get(i);
                filter.set(JAVA_SHORT, 8L * i, (short) insn.code());
                filter.set(JAVA_BYTE, 8L * i + 2, (byte) insn.jt());
                filter.set(JAVA_BYTE, 8L * i + 3, (byte) insn.jf());
                filter.set(JAVA_INT, 8L * i + 4, insn.k());
            }
            MemorySegment fprog = local.allocate(16, 8); // struct sock_fprog { u16 len; void *filter; }
            fprog.set(JAVA_SHORT, 0, (short) program.size());
            fprog.set(JAVA_LONG, 8, filter.address());
            int rc = (int) SETSOCKOPT.invokeExact(errno, receiver, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16);
            if (rc != 0) {
                throw new CbpfException("the kernel refused the filter (SO_ATTACH_FILTER: errno " + errno() + ")");
            }
            attached = true;
        } catch (CbpfException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sends {@code packet} through the attached filter and returns how many bytes were delivered
     * (the filter's result, capped at the packet's length), or -1 when the filter dropped it.
     */
    public int deliveredBytes(byte[] packet) {
        requireOpen();
        if (!attached) {
            throw new IllegalStateException("no filter attached");
        }
        try {
            if (buffer.byteSize() < packet.length + 1L) {
                buffer = arena.allocate(Math.max(packet.length + 1L, 2048));
            }
            MemorySegment.copy(packet, 0, buffer, JAVA_BYTE, 0, packet.length);
            long sent = (long) SEND.invokeExact(errno, sender, buffer, (long) packet.length, MSG_DONTWAIT);
            if (sent != packet.length) {
                throw new IllegalStateException(
                        "send of a " + packet.length + "-byte datagram failed: errno " + errno());
            }
            long received = (long) RECV.invokeExact(errno, receiver, buffer, buffer.byteSize(), MSG_DONTWAIT);
            if (received < 0) {
                if (errno() == EAGAIN) {
                    return -1;
                }
                throw new IllegalStateException("recv failed: errno " + errno());
            }
            return (int) received;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** True when the attached filter returns non-zero for {@code packet}. */
    public boolean matches(byte[] packet) {
        return deliveredBytes(packet) >= 0;
    }

    private int errno() {
        return (int) ERRNO.get(errno, 0L);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the socket filter is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // close(2) cannot fail in a way worth reporting for a socket nobody else holds
            int receiverClosed = (int) CLOSE.invokeExact(errno, receiver);
            int senderClosed = (int) CLOSE.invokeExact(errno, sender);
            assert receiverClosed == 0 && senderClosed == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

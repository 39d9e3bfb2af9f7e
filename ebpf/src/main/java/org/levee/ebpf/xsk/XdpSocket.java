package org.levee.ebpf.xsk;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.internal.Errno;
import org.levee.ebpf.internal.Libc;

/**
 * An AF_XDP socket that transmits frames from its own UMEM, in copy mode: the standard way to
 * hand many frames to a device without building a socket buffer per frame in user space. The
 * kernel reads each descriptor of the TX ring, copies the frame it names into a socket buffer and
 * sends it straight to the device's queue (no qdisc, no routing), so it works on any interface,
 * veth included, and needs no XDP program.
 *
 * <p>The {@link Umem} is registered in unaligned-chunk mode, so a descriptor may name any byte
 * range up to a page long: callers lay frames out densely. The socket is bound in the network namespace of the thread that opens it;
 * after that any thread may use it, one at a time.
 *
 * <p>Sending: {@link #put} descriptors (at most {@link #transmitSpace()}), {@link #submit()}
 * them, then {@link #kick()}: in copy mode the kernel sends only inside that call, at most 32
 * frames per call. Frames are done when they show up in the completion ring: {@link #reap()}
 * consumes them and says how many, and must be called often enough that the completion ring
 * (as large as the TX ring) never fills, or the kernel stops taking descriptors.
 *
 * <p>Layout facts (include/uapi/linux/if_xdp.h): {@code struct xdp_umem_reg} is 32 bytes,
 * {@code struct xdp_mmap_offsets} 4 × 32, {@code struct sockaddr_xdp} 16, a TX descriptor 16
 * ({@code addr, len, options}) and a completion entry 8 (the address).
 */
public final class XdpSocket implements AutoCloseable {
    public static final int AF_XDP = 44;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_XDP = 283;
    private static final int XDP_MMAP_OFFSETS = 1;
    private static final int XDP_TX_RING = 3;
    private static final int XDP_UMEM_REG = 4;
    private static final int XDP_UMEM_FILL_RING = 5;
    private static final int XDP_UMEM_COMPLETION_RING = 6;
    private static final int XDP_STATISTICS = 7;
    private static final int XDP_COPY = 1 << 1;
    private static final int XDP_UMEM_UNALIGNED_CHUNK_FLAG = 1;
    private static final long XDP_PGOFF_TX_RING = 0x80000000L;
    private static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int COMPLETION_BYTES = 8;
    /** The fill ring is required for bind but unused when only transmitting. */
    private static final int FILL_RING_SIZE = 64;
    /** Kicks in a row that move nothing before {@link #kick()} gives up for now (the device queue is stopped). */
    private static final int IDLE_KICKS = 4;

    private static final VarHandle INT = JAVA_INT.varHandle();
    /** How long a bind that finds the queue still held by a closed socket is retried. */
    public static final long BIND_RETRY_MILLIS = 2_000;

    private final int fd;
    private final String interfaceDescription;
    private final Umem umem;
    private final MemorySegment txMapping;
    private final MemorySegment completionMapping;
    private final Ring tx;
    private final Ring completion;
    private final Arena hotPath = Arena.ofShared();
    private final MemorySegment callState = Libc.newCallState(hotPath);
    private final int ringSize;
    private int txProducer;
    private int txFreeCache;
    private int completionConsumer;
    private long failedKicks;
    private boolean closed;

    private XdpSocket(
            int fd,
            String interfaceDescription,
            Umem umem,
            MemorySegment txMapping,
            Ring tx,
            MemorySegment completionMapping,
            Ring completion,
            int ringSize) {
        this.fd = fd;
        this.interfaceDescription = interfaceDescription;
        this.umem = umem;
        this.txMapping = txMapping;
        this.tx = tx;
        this.completionMapping = completionMapping;
        this.completion = completion;
        this.ringSize = ringSize;
        this.txProducer = tx.producer();
        this.completionConsumer = completion.consumer();
    }

    /** One ring's shared words, at the offsets {@code XDP_MMAP_OFFSETS} reported. */
    private record Ring(MemorySegment mapping, long producerOffset, long consumerOffset, long descriptorOffset) {
        int producer() {
            return (int) INT.getAcquire(mapping, producerOffset);
        }

        int consumer() {
            return (int) INT.getAcquire(mapping, consumerOffset);
        }

        void publishProducer(int value) {
            INT.setRelease(mapping, producerOffset, value);
        }

        void publishConsumer(int value) {
            INT.setRelease(mapping, consumerOffset, value);
        }
    }

    /**
     * Opens a transmit-only socket on queue {@code queue} of interface {@code ifindex} (in the
     * calling thread's network namespace), sending from {@code umem}, with TX and completion rings
     * of {@code ringSize} entries (a power of two).
     *
     * <p>A queue takes one UMEM at a time, and the kernel releases a closed socket's hold on its
     * queue a moment later, in a work item: binding right after another socket on the same queue
     * closed can fail with EBUSY. The bind is retried for up to {@value #BIND_RETRY_MILLIS} ms.
     */
    public static XdpSocket openForTransmit(int ifindex, int queue, Umem umem, int ringSize) {
        if (ringSize < 2 || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("AF_XDP ring size " + ringSize + " is not a power of two ≥ 2");
        }
        String where = "interface " + ifindex + " queue " + queue;
        int fd = -1;
        MemorySegment txMapping = null;
        MemorySegment crMapping = null;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0, "AF_XDP socket for " + where);
            MemorySegment registration = arena.allocate(32, 8);
            registration.set(JAVA_LONG, 0, umem.address());
            registration.set(JAVA_LONG, 8, umem.byteSize());
            registration.set(JAVA_INT, 16, (int) Umem.pageSize()); // chunk size: in unaligned mode, the largest frame
            registration.set(JAVA_INT, 20, 0); // headroom
            registration.set(JAVA_INT, 24, XDP_UMEM_UNALIGNED_CHUNK_FLAG);
            registration.set(JAVA_INT, 28, 0); // no TX metadata
            Libc.setsockopt(
                    fd,
                    SOL_XDP,
                    XDP_UMEM_REG,
                    registration,
                    "XDP_UMEM_REG of " + umem.byteSize() + " bytes for " + where);
            setInt(arena, fd, XDP_UMEM_FILL_RING, FILL_RING_SIZE, "XDP_UMEM_FILL_RING");
            setInt(arena, fd, XDP_UMEM_COMPLETION_RING, ringSize, "XDP_UMEM_COMPLETION_RING");
            setInt(arena, fd, XDP_TX_RING, ringSize, "XDP_TX_RING");
            MemorySegment offsets = arena.allocate(128, 8);
            int length = Libc.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, offsets, "XDP_MMAP_OFFSETS");
            if (length < 128) {
                throw new IllegalStateException("XDP_MMAP_OFFSETS returned " + length
                        + " bytes: this kernel predates the ring flags word (Linux 5.4); AF_XDP needs a newer one");
            }
            // struct xdp_mmap_offsets: rx, tx, fr, cr, each {producer, consumer, desc, flags}.
            long txBase = 32;
            long crBase = 96;
            txMapping = Libc.mmapShared(
                    offsets.get(JAVA_LONG, txBase + 16) + (long) ringSize * DESCRIPTOR_BYTES,
                    Libc.PROT_READ | Libc.PROT_WRITE,
                    fd,
                    XDP_PGOFF_TX_RING);
            Ring tx = new Ring(
                    txMapping,
                    offsets.get(JAVA_LONG, txBase),
                    offsets.get(JAVA_LONG, txBase + 8),
                    offsets.get(JAVA_LONG, txBase + 16));
            crMapping = Libc.mmapShared(
                    offsets.get(JAVA_LONG, crBase + 16) + (long) ringSize * COMPLETION_BYTES,
                    Libc.PROT_READ | Libc.PROT_WRITE,
                    fd,
                    XDP_UMEM_PGOFF_COMPLETION_RING);
            Ring cr = new Ring(
                    crMapping,
                    offsets.get(JAVA_LONG, crBase),
                    offsets.get(JAVA_LONG, crBase + 8),
                    offsets.get(JAVA_LONG, crBase + 16));
            MemorySegment address = arena.allocate(16, 4);
            address.set(JAVA_SHORT, 0, (short) AF_XDP);
            address.set(JAVA_SHORT, 2, (short) XDP_COPY);
            address.set(JAVA_INT, 4, ifindex);
            address.set(JAVA_INT, 8, queue);
            address.set(JAVA_INT, 12, 0);
            bind(fd, address, where);
            return new XdpSocket(fd, where, umem, txMapping, tx, crMapping, cr, ringSize);
        } catch (RuntimeException e) {
            if (txMapping != null) {
                Libc.munmap(txMapping);
            }
            if (crMapping != null) {
                Libc.munmap(crMapping);
            }
            if (fd >= 0) {
                Libc.close(fd);
            }
            throw e;
        }
    }

    /** Opens and closes an AF_XDP socket: throws the kernel's refusal when it has none (no CONFIG_XDP_SOCKETS). */
    public static void probe() {
        Libc.close(Libc.socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0, "AF_XDP socket (probe)"));
    }

    private static void bind(int fd, MemorySegment address, String where) {
        long deadline = System.nanoTime() + BIND_RETRY_MILLIS * 1_000_000L;
        while (true) {
            try {
                Libc.bind(fd, address, "AF_XDP socket to " + where + " in copy mode");
                return;
            } catch (SyscallException e) {
                if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(5_000_000L);
            }
        }
    }

    private static void setInt(Arena arena, int fd, int option, int value, String name) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        Libc.setsockopt(fd, SOL_XDP, option, v, name + " = " + value);
    }

    /** The memory this socket sends from. */
    public Umem umem() {
        return umem;
    }

    public int ringSize() {
        return ringSize;
    }

    /** How many descriptors {@link #put} may add before the next {@link #submit()} and {@link #kick()}. */
    public int transmitSpace() {
        if (txFreeCache == 0) {
            txFreeCache = ringSize - (txProducer - tx.consumer());
        }
        return txFreeCache;
    }

    /** Adds a descriptor for the {@code length} bytes at {@code offset} of the UMEM; visible to the kernel after {@link #submit()}. */
    public void put(long offset, int length) {
        if (transmitSpace() == 0) {
            throw new IllegalStateException("AF_XDP TX ring of " + interfaceDescription + " is full");
        }
        long slot = tx.descriptorOffset() + (long) (txProducer & (ringSize - 1)) * DESCRIPTOR_BYTES;
        txMapping.set(JAVA_LONG, slot, offset);
        txMapping.set(JAVA_INT, slot + 8, length);
        txMapping.set(JAVA_INT, slot + 12, 0);
        txProducer++;
        txFreeCache--;
    }

    /** Publishes the descriptors put since the last call. */
    public void submit() {
        tx.publishProducer(txProducer);
    }

    /** Descriptors submitted that the kernel has not taken yet. */
    public int pending() {
        return txProducer - tx.consumer();
    }

    /**
     * Lets the kernel send what was submitted: calls {@code sendto} until the TX ring is empty,
     * or the device stops taking frames for now (its queue is stopped or out of buffers; try
     * again after a moment). Returns true when the ring was emptied.
     *
     * @throws SyscallException when the interface is gone or down, or the socket is broken
     */
    public boolean kick() {
        int idle = 0;
        while (pending() > 0) {
            int before = tx.consumer();
            int errno = Libc.sendtoEmpty(fd, Libc.MSG_DONTWAIT, callState);
            switch (errno) {
                case 0, Errno.EAGAIN, Errno.EBUSY, Errno.ENOBUFS -> {
                    // EAGAIN: 32 sent and more to go, or the device queue is stopped; EBUSY: the
                    // device dropped one (it still completes); ENOBUFS: no socket buffer now.
                    if (errno != 0) {
                        failedKicks++;
                    }
                }
                default -> throw new SyscallException("sendto", errno, "AF_XDP transmit on " + interfaceDescription);
            }
            if (tx.consumer() == before && ++idle >= IDLE_KICKS) {
                return false;
            } else if (tx.consumer() != before) {
                idle = 0;
            }
        }
        return true;
    }

    /** Consumes every completed descriptor and returns how many there were: frames handed to the device. */
    public int reap() {
        int produced = completion.producer();
        int done = produced - completionConsumer;
        if (done != 0) {
            completionConsumer = produced;
            completion.publishConsumer(completionConsumer);
        }
        return done;
    }

    /** sendto calls that returned EAGAIN, EBUSY or ENOBUFS so far (back-pressure, not errors). */
    public long failedKicks() {
        return failedKicks;
    }

    /** The kernel's counters for this socket ({@code XDP_STATISTICS}). */
    public Statistics statistics() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(48, 8);
            Libc.getsockopt(fd, SOL_XDP, XDP_STATISTICS, s, "XDP_STATISTICS");
            return new Statistics(s.get(JAVA_LONG, 16), s.get(JAVA_LONG, 40));
        }
    }

    /**
     * @param invalidDescriptors TX descriptors the kernel refused (outside the UMEM, too long):
     *                           they were never sent
     * @param emptyRingPolls     times the kernel found the TX ring empty when asked to send
     */
    public record Statistics(long invalidDescriptors, long emptyRingPolls) {}

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(txMapping);
        Libc.munmap(completionMapping);
        Libc.close(fd);
        hotPath.close();
    }

    @Override
    public String toString() {
        return "XdpSocket[fd " + fd + ", " + interfaceDescription + ", " + ringSize + "-entry rings, UMEM "
                + umem.byteSize() + " bytes]";
    }
}

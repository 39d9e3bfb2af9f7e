package org.levee.ebpf.ringbuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapType;
import org.levee.ebpf.internal.Libc;

/**
 * Consumes the records of a BPF ring buffer ({@code BPF_MAP_TYPE_RINGBUF}) in the order programs
 * reserved them.
 *
 * <p>The kernel shares three areas: the consumer page (mapped read-write: we publish how far we
 * have read), the producer page and the data area (read-only). The data area is mapped twice in a
 * row so a record that wraps around the end is contiguous. Each record starts with an 8-byte
 * header: a 32-bit length whose top bits say "still being written" (busy) or "discarded", then a
 * page offset the kernel uses. Positions are read with acquire and the consumer position written
 * with release ordering, pairing with the kernel's barriers.
 *
 * <p>One reader per ring buffer, used by one thread at a time. The map must stay open while the
 * reader is.
 */
public final class RingBufferReader implements AutoCloseable {
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER_BYTES = 8;

    private final String name;
    private final MemorySegment consumerPage;
    private final MemorySegment producerMapping;
    private final MemorySegment data;
    private final long mask;
    private final int epollFd;
    private boolean closed;

    private RingBufferReader(
            String name,
            MemorySegment consumerPage,
            MemorySegment producerMapping,
            MemorySegment data,
            long mask,
            int epollFd) {
        this.name = name;
        this.consumerPage = consumerPage;
        this.producerMapping = producerMapping;
        this.data = data;
        this.mask = mask;
        this.epollFd = epollFd;
    }

    /** Maps the ring buffer {@code map} and prepares to wait for it. */
    public static RingBufferReader open(BpfMap map) {
        if (map.type() != MapType.RINGBUF) {
            throw new IllegalArgumentException(map + " is not a ring buffer");
        }
        long page = Libc.pageSize();
        long size = Integer.toUnsignedLong(map.info().maxEntries());
        MemorySegment consumer = Libc.mmapShared(page, Libc.PROT_READ | Libc.PROT_WRITE, map.fd(), 0);
        MemorySegment producer;
        try {
            producer = Libc.mmapShared(page + 2 * size, Libc.PROT_READ, map.fd(), page);
        } catch (RuntimeException e) {
            Libc.munmap(consumer);
            throw e;
        }
        int epfd;
        try {
            epfd = Libc.epollFor(map.fd());
        } catch (RuntimeException e) {
            Libc.munmap(producer);
            Libc.munmap(consumer);
            throw e;
        }
        return new RingBufferReader(
                map.toString(), consumer, producer, producer.asSlice(page, 2 * size), size - 1, epfd);
    }

    /**
     * Delivers every committed record, in order, without blocking; stops at a record still being
     * written (later ones wait for it). Returns the number of records delivered (discarded records
     * are skipped and not counted).
     */
    public int drain(RecordHandler handler) {
        checkOpen();
        int delivered = 0;
        long consumer = (long) LONG.getAcquire(consumerPage, 0L);
        while (true) {
            long producer = (long) LONG.getAcquire(producerMapping, 0L);
            if (consumer >= producer) {
                return delivered;
            }
            long offset = consumer & mask;
            int header = (int) INT.getAcquire(data, offset);
            if ((header & BUSY_BIT) != 0) {
                return delivered;
            }
            int length = header & ~(BUSY_BIT | DISCARD_BIT);
            if ((header & DISCARD_BIT) == 0) {
                handler.onRecord(data.asSlice(offset + HEADER_BYTES, length));
                delivered++;
            }
            consumer += (length + HEADER_BYTES + 7) & ~7L;
            LONG.setRelease(consumerPage, 0L, consumer);
        }
    }

    /**
     * Delivers the available records; when there are none, waits up to {@code timeout} for some.
     * Returns the number delivered (0 on timeout).
     */
    public int poll(Duration timeout, RecordHandler handler) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int n = drain(handler);
            long left = deadline - System.nanoTime();
            if (n > 0 || left <= 0) {
                return n;
            }
            Libc.epollWait(epollFd, (int) Math.max(
                    1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis())));
        }
    }

    /** Like {@link #poll} but copies the records out. */
    public List<byte[]> read(Duration timeout) {
        List<byte[]> records = new ArrayList<>();
        poll(timeout, r -> records.add(r.toArray(JAVA_BYTE)));
        return records;
    }

    /** Bytes written by producers and not yet consumed (including headers and discarded records). */
    public long pendingBytes() {
        checkOpen();
        return (long) LONG.getAcquire(producerMapping, 0L) - (long) LONG.getAcquire(consumerPage, 0L);
    }

    /** The size of the data area in bytes. */
    public long capacity() {
        return mask + 1;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(epollFd);
            Libc.munmap(producerMapping);
            Libc.munmap(consumerPage);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ring buffer reader of " + name + " is closed");
        }
    }
}

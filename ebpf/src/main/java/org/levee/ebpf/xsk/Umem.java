package org.levee.ebpf.xsk;

import java.lang.foreign.MemorySegment;
import org.levee.ebpf.internal.Libc;

/**
 * The memory an AF_XDP socket sends frames from: one anonymous, page-aligned, pre-faulted
 * mapping. It outlives the sockets registered with it, so frames written once can be sent by one
 * socket after another (a socket's queue binding is released asynchronously, see
 * {@link XdpSocket#openForTransmit}).
 */
public final class Umem implements AutoCloseable {
    private static final long PAGE_SIZE = Libc.pageSize();

    private final MemorySegment memory;
    private boolean closed;

    private Umem(MemorySegment memory) {
        this.memory = memory;
    }

    /** At least {@code bytes} of zeroed memory, rounded up to whole pages. */
    public static Umem allocate(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("UMEM of " + bytes + " bytes: must be positive");
        }
        return new Umem(Libc.mmapAnonymous((bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE));
    }

    /** Where frames are written; descriptors name offsets into it. */
    public MemorySegment memory() {
        if (closed) {
            throw new IllegalStateException("UMEM is closed");
        }
        return memory;
    }

    public long byteSize() {
        return memory.byteSize();
    }

    /** The page size: in unaligned-chunk mode a frame must not be longer, and is best kept within one page. */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    long address() {
        return memory.address();
    }

    /** Unmaps the memory; sockets registered with it must be closed first. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.munmap(memory);
        }
    }
}

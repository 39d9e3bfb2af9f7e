package org.levee.ebpf.ringbuf;

import java.lang.foreign.MemorySegment;

/** Receives one ring-buffer record. The segment points into the shared mapping: valid only during the call. */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record);
}

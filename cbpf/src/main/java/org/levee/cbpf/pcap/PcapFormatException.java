package org.levee.cbpf.pcap;

import java.io.IOException;

/** A capture file is corrupt or truncated; the message and {@link #offset()} say where. */
public final class PcapFormatException extends IOException {
    private final long offset;

    public PcapFormatException(long offset, String problem) {
        super("at byte offset " + offset + ": " + problem);
        this.offset = offset;
    }

    /** The byte offset in the file of the structure that is wrong. */
    public long offset() {
        return offset;
    }
}

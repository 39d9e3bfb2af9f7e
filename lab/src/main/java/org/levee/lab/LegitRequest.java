package org.levee.lab;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A legitimate client's UDP request (and the server's answer, which echoes it): a magic number,
 * the client's index and the request's sequence number, padded to {@link #SIZE} bytes.
 */
public record LegitRequest(int client, long sequence) {
    /** "LVLG": tells lab requests from anything else arriving at the port. */
    public static final int MAGIC = 0x4c564c47;

    public static final int SIZE = 64;

    public void write(ByteBuffer buffer) {
        buffer.putInt(MAGIC).putInt(client).putLong(sequence);
        buffer.put(new byte[SIZE - 16]);
    }

    /** Reads a request from {@code buffer} (flipped); empty when it is not one. */
    public static Optional<LegitRequest> read(ByteBuffer buffer) {
        if (buffer.remaining() != SIZE || buffer.getInt(buffer.position()) != MAGIC) {
            return Optional.empty();
        }
        return Optional.of(
                new LegitRequest(buffer.getInt(buffer.position() + 4), buffer.getLong(buffer.position() + 8)));
    }
}

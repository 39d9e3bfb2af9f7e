package org.levee.dataplane.program;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes the decoder of the sample records the XDP program writes to the ring buffer. A thin
 * adapter on purpose: the sample type is being unified, and re-pointing this family means
 * changing {@link #DECODER}, {@link #ERROR}, {@link #MESSAGE} and, if the layout moves,
 * {@link #record}.
 */
@Tag("fuzz")
class SampleFuzzTest {
    /** The decoder under test. */
    private static final Function<byte[], Sample> DECODER = Sample::decode;
    /** Its documented error, and what the message promises: the sizes that do not fit. */
    private static final Class<? extends RuntimeException> ERROR = IllegalArgumentException.class;
    private static final String MESSAGE = "^sample (of \\d+ bytes is shorter than its \\d+-byte header|says \\d+ packet "
            + "bytes follow its header, but the record has -?\\d+)$";

    /** A record as the program writes it: the 32-byte header in host order, the packet, padding. */
    static byte[] record(long timestamp, int ifindex, int queue, int packetLength, int rate, byte[] packet, int padding) {
        ByteBuffer record = ByteBuffer.allocate(Sample.SIZE + packet.length + padding).order(ByteOrder.nativeOrder());
        record.putLong(Sample.TIMESTAMP, timestamp).putInt(Sample.IFINDEX, ifindex).putInt(Sample.RX_QUEUE, queue)
                .putInt(Sample.PACKET_LENGTH, packetLength).putInt(Sample.SAMPLE_RATE, rate)
                .putInt(Sample.CAPTURED_LENGTH, packet.length);
        record.put(Sample.SIZE, packet);
        return record.array();
    }

    static List<byte[]> seeds() {
        List<byte[]> records = new ArrayList<>();
        for (int length : new int[] {0, 1, 14, 60, 128, 1500}) {
            byte[] packet = new byte[Math.min(length, 128)];
            for (int i = 0; i < packet.length; i++) {
                packet[i] = (byte) (i * 7 + length);
            }
            records.add(record(1_000_000_000L * length, 2 + length % 5, length % 4, length, 1 + length, packet,
                    (8 - (Sample.SIZE + packet.length) % 8) % 8));
        }
        return records;
    }

    /** Found by fuzzing: a captured length near 2^31 wrapped the bounds check and asked for a 2 GiB array. */
    @Test
    void aCapturedLengthNearTwoGibibytesIsRefused() {
        byte[] record = record(1, 2, 3, 60, 1, new byte[8], 0);
        ByteBuffer.wrap(record).order(ByteOrder.nativeOrder()).putInt(Sample.CAPTURED_LENGTH, 0x7fff_ffff);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DECODER.apply(record)).isInstanceOf(ERROR)
                .hasMessage("sample says 2147483647 packet bytes follow its header, but the record has 8");
    }

    @Test
    void sampleRecords() {
        FuzzRunner.run(FuzzFamily.bytes("ring-buffer sample records")
                .seeds(seeds())
                .target(record -> {
                    Sample sample = DECODER.apply(record);
                    if (sample.packet().length > record.length - Sample.SIZE) {
                        throw new AssertionError("more packet bytes than the record holds: " + sample);
                    }
                })
                .rejects(ERROR, MESSAGE)
                .build()).assertNoCrashes();
    }
}

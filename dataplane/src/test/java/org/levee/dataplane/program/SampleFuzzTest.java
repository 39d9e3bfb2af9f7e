package org.levee.dataplane.program;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.rules.Sample;
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
    private static final Function<byte[], Sample> DECODER =
            record -> SampleLayout.decode(MemorySegment.ofArray(record), "dc", "node");
    /** Its documented error, and what the message promises: the sizes that do not fit. */
    private static final Class<? extends RuntimeException> ERROR = IllegalArgumentException.class;

    private static final String MESSAGE =
            "^sample (of \\d+ bytes is shorter than its \\d+-byte header|says \\d+ packet "
                    + "bytes follow its header, but the record has -?\\d+|says it was taken at \\d+ ns since boot, which is past 2\\^63)$";

    /** A record as the program writes it: the 32-byte header in host order, the packet, padding. */
    static byte[] record(
            long timestamp, int ifindex, int queue, int packetLength, int rate, byte[] packet, int padding) {
        ByteBuffer record =
                ByteBuffer.allocate(SampleLayout.SIZE + packet.length + padding).order(ByteOrder.nativeOrder());
        record.putLong(SampleLayout.TIMESTAMP, timestamp)
                .putInt(SampleLayout.IFINDEX, ifindex)
                .putInt(SampleLayout.RX_QUEUE, queue)
                .putInt(SampleLayout.PACKET_LENGTH, packetLength)
                .putInt(SampleLayout.SAMPLE_RATE, rate)
                .putInt(SampleLayout.CAPTURED_LENGTH, packet.length);
        record.put(SampleLayout.SIZE, packet);
        return record.array();
    }

    static List<byte[]> seeds() {
        List<byte[]> records = new ArrayList<>();
        for (int length : new int[] {0, 1, 14, 60, 128, 1500}) {
            byte[] packet = new byte[Math.min(length, 128)];
            for (int i = 0; i < packet.length; i++) {
                packet[i] = (byte) (i * 7 + length);
            }
            records.add(record(
                    1_000_000_000L * length,
                    2 + length % 5,
                    length % 4,
                    length,
                    1 + length,
                    packet,
                    (8 - (SampleLayout.SIZE + packet.length) % 8) % 8));
        }
        return records;
    }

    /** Found by fuzzing: a captured length near 2^31 wrapped the bounds check and asked for a 2 GiB array. */
    @Test
    void aCapturedLengthNearTwoGibibytesIsRefused() {
        byte[] record = record(1, 2, 3, 60, 1, new byte[8], 0);
        ByteBuffer.wrap(record).order(ByteOrder.nativeOrder()).putInt(SampleLayout.CAPTURED_LENGTH, 0x7fff_ffff);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DECODER.apply(record))
                .isInstanceOf(ERROR)
                .hasMessage("sample says 2147483647 packet bytes follow its header, but the record has 8");
    }

    @Test
    void sampleRecords() {
        FuzzRunner.run(FuzzFamily.bytes("ring-buffer sample records")
                        .seeds(seeds())
                        .target(record -> {
                            Sample sample = DECODER.apply(record);
                            if (sample.packet().length > record.length - SampleLayout.SIZE) {
                                throw new AssertionError("more packet bytes than the record holds: " + sample);
                            }
                        })
                        .rejects(ERROR, MESSAGE)
                        .build())
                .assertNoCrashes();
    }
}

package org.levee.dataplane.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.levee.rules.Sample;

/** Records as the program writes them (host byte order), decoded without a kernel. */
class SampleLayoutTest {

    private static MemorySegment record(long timestamp, int packetLength, int rate, int captured, byte[] packet) {
        ByteBuffer b = ByteBuffer.allocate(SampleLayout.SIZE + packet.length).order(ByteOrder.nativeOrder());
        b.putLong(SampleLayout.TIMESTAMP, timestamp)
                .putInt(SampleLayout.IFINDEX, 7)
                .putInt(SampleLayout.RX_QUEUE, 1)
                .putInt(SampleLayout.PACKET_LENGTH, packetLength)
                .putInt(SampleLayout.SAMPLE_RATE, rate)
                .putInt(SampleLayout.CAPTURED_LENGTH, captured);
        b.put(SampleLayout.SIZE, packet);
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void aRecordBecomesTheSampleTaggedWithWhereItWasTaken() {
        Sample s = SampleLayout.decode(record(123_456_789L, 1500, 1000, 3, new byte[] {1, 2, 3}), "ams1", "edge-1");
        assertThat(s.packet()).containsExactly(1, 2, 3);
        assertThat(s.wireLength()).isEqualTo(1500);
        assertThat(s.samplingRate()).isEqualTo(1000);
        assertThat(s.timestampNanos()).isEqualTo(123_456_789L);
        assertThat(s.datacenter()).isEqualTo("ams1");
        assertThat(s.node()).isEqualTo("edge-1");
    }

    @Test
    void theSampleIsValidWhateverTheRecordSays() {
        Sample s = SampleLayout.decode(record(1, 2, 0, 3, new byte[] {1, 2, 3}), "dc", "n");
        assertThat(s.wireLength()).as("never shorter than the bytes captured").isEqualTo(3);
        assertThat(s.samplingRate()).as("at least 1 in 1").isEqualTo(1);
    }

    @Test
    void aRecordShorterThanItsHeaderSaysIsRefused() {
        assertThatThrownBy(() -> SampleLayout.decode(MemorySegment.ofArray(new byte[20]), "dc", "n"))
                .hasMessage("sample of 20 bytes is shorter than its 32-byte header");
        assertThatThrownBy(() -> SampleLayout.decode(record(1, 100, 1, 50, new byte[10]), "dc", "n"))
                .hasMessage("sample says 50 packet bytes follow its header, but the record has 10");
        assertThatThrownBy(() -> SampleLayout.decode(record(1, 100, 1, -1, new byte[10]), "dc", "n"))
                .hasMessage("sample says 4294967295 packet bytes follow its header, but the record has 10");
    }
}

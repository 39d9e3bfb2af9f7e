package org.levee.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.ebpf.XdpAction;

/** Ring-buffer record decoding and action names, without the kernel. */
class RecordAndNamesTest {

    private static byte[] record(long time, int original, int captured, int action, byte[] data) {
        return ByteBuffer.allocate(CaptureRecord.HEADER_BYTES + data.length)
                .order(ByteOrder.nativeOrder())
                .putLong(time)
                .putInt(original)
                .putInt(captured)
                .putInt(action)
                .putInt(0)
                .put(data)
                .array();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void decodesWhatTheProgramWrites(long seed) {
        Random random = new Random(seed);
        byte[] data = new byte[random.nextInt(1500)];
        random.nextBytes(data);
        long time = random.nextLong(Long.MAX_VALUE);
        int original = data.length + random.nextInt(100);
        XdpAction action = XdpAction.of(random.nextInt(5));
        CaptureRecord r =
                CaptureRecord.decode(MemorySegment.ofArray(record(time, original, data.length, action.code(), data)));
        assertThat(r).isEqualTo(new CaptureRecord(time, action, original, data));
    }

    @Test
    void malformedRecordsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> CaptureRecord.decode(MemorySegment.ofArray(new byte[10])))
                .hasMessageContaining("10 bytes is shorter than its 24-byte header");
        assertThatThrownBy(() -> CaptureRecord.decode(MemorySegment.ofArray(record(1, 5, 4, 1, new byte[3]))))
                .hasMessageContaining("captured length field says 4 bytes but the record holds 3");
        assertThatThrownBy(() -> CaptureRecord.decode(MemorySegment.ofArray(record(1, 5, 3, 9, new byte[3]))))
                .hasMessageContaining("XDP action 9");
        assertThatThrownBy(() -> CaptureRecord.decode(MemorySegment.ofArray(record(1, 2, 3, 1, new byte[3]))))
                .hasMessageContaining("original length 2 is below the 3 captured bytes");
    }

    @Test
    void actionListsParseWithBlanksAndRepeatsAndNameTheBadEntry() {
        assertThat(ActionNames.parseList(" pass, DROP ,pass")).isEqualTo(EnumSet.of(XdpAction.DROP, XdpAction.PASS));
        assertThat(ActionNames.labels(ActionNames.parseList("redirect,aborted,tx")))
                .isEqualTo("aborted,tx,redirect");
        assertThat(ActionNames.interfaceName(XdpAction.REDIRECT)).isEqualTo("XDPredirect");
        assertThatThrownBy(() -> ActionNames.parseList("drop,,pass"))
                .hasMessageContaining("action 2 of 'drop,,pass' is ''");
        assertThatThrownBy(() -> ActionNames.parseList(" ")).hasMessageContaining("the action list is empty");
    }
}

package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.levee.sflow.SflowFormatException.Reason;
import org.levee.sflow.testing.TestFrames;

/**
 * Each way a datagram can lie, made by editing one field of a valid datagram at its offset (the
 * offsets follow sflow_version_5.txt, checked by {@link SflowCodecTest#theLayoutIsSflowVersion5}).
 */
class SflowBadInputTest {
    // One IPv4 datagram of two compact flow samples, each with one 62-byte Ethernet header.
    static final int SAMPLES_COUNT = 24;
    static final int SAMPLE_0 = 28;
    static final int SAMPLE_0_LENGTH = SAMPLE_0 + 4;
    static final int RATE_0 = SAMPLE_0 + 16;
    static final int RECORDS_0 = SAMPLE_0 + 36;
    static final int RECORD_0_LENGTH = SAMPLE_0 + 44;
    static final int FRAME_LENGTH_0 = SAMPLE_0 + 52;
    static final int HEADER_LENGTH_0 = SAMPLE_0 + 60;

    static byte[] frame(int port) {
        return TestFrames.frame(
                TestFrames.v4(192, 0, 2, 1), TestFrames.v4(198, 51, 100, 7), TestFrames.UDP, port, 53, new byte[20]);
    }

    static SflowDatagram valid() {
        return new SflowDatagram(
                TestFrames.v4(192, 0, 2, 9),
                1,
                100,
                5000,
                List.of(
                        FlowSample.ethernet(1, 2, 512, 1000, 0, frame(1000), 66),
                        FlowSample.ethernet(2, 2, 512, 1512, 0, frame(1001), 66)));
    }

    static byte[] validBytes() {
        return SflowEncoder.encode(valid());
    }

    static byte[] with(int offset, int value) {
        byte[] bytes = validBytes();
        ByteBuffer.wrap(bytes).putInt(offset, value);
        return bytes;
    }

    /** A datagram refused whole, for {@code reason}, naming {@code field} at {@code offset}. */
    static SflowFormatException refused(byte[] bytes, Reason reason, String field, int offset) {
        SflowFormatException e = catchThrowableOfType(SflowFormatException.class, () -> SflowDecoder.decode(bytes));
        assertThat(e).as("strict decode").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
        assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
        assertThat(e.getMessage()).contains("byte " + offset).contains("'" + field + "'");
        assertThatThrownBy(() -> SflowDecoder.decode(ByteBuffer.wrap(bytes), noRejects()))
                .as("lenient decode refuses the datagram too")
                .isInstanceOf(SflowFormatException.class);
        return e;
    }

    /** A datagram whose first sample is refused, for {@code reason}, and whose second is kept. */
    static SflowFormatException firstSampleRefused(byte[] bytes, Reason reason, String field, int offset)
            throws SflowFormatException {
        List<SflowFormatException> rejected = new ArrayList<>();
        SflowDatagram decoded = SflowDecoder.decode(ByteBuffer.wrap(bytes), rejected::add);
        assertThat(rejected).hasSize(1);
        SflowFormatException e = rejected.getFirst();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
        assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
        assertThat(e.sampleIndex()).isZero();
        assertThat(e.getMessage())
                .contains("byte " + offset)
                .contains("sample 0 (flow sample)")
                .contains("'" + field + "'");
        assertThat(decoded.samples()).containsExactly(valid().samples().get(1));
        // The strict decoder refuses all of it, for the same reason.
        SflowFormatException strict =
                catchThrowableOfType(SflowFormatException.class, () -> SflowDecoder.decode(bytes));
        assertThat(strict.reason()).isEqualTo(reason);
        return e;
    }

    static Consumer<SflowFormatException> noRejects() {
        return e -> {
            throw new AssertionError("no sample should be rejected alone: " + e.getMessage());
        };
    }

    @Test
    void everyCutShortDatagramIsRefusedWhole() {
        byte[] bytes = validBytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            SflowFormatException e = catchThrowableOfType(SflowFormatException.class, () -> SflowDecoder.decode(cut));
            assertThat(e).as("cut at %d", length).isNotNull();
            assertThat(e.reason())
                    .as(e.getMessage())
                    .isIn(Reason.TRUNCATED, Reason.COUNT_PAST_END, Reason.LENGTH_PAST_END);
            assertThat(e.offset()).isBetween(0, length);
        }
        SflowFormatException empty = refused(new byte[0], Reason.TRUNCATED, "version", 0);
        assertThat(empty.getMessage())
                .isEqualTo("sFlow datagram byte 0: field 'version' needs 4 bytes but 0 remain in the datagram");
        refused(java.util.Arrays.copyOf(bytes, 10), Reason.TRUNCATED, "agent_address", 8);
    }

    @Test
    void versionAndAddressType() {
        SflowFormatException e = refused(with(0, 4), Reason.BAD_VERSION, "version", 0);
        assertThat(e.getMessage()).contains("is 4, expected 5");
        refused(with(4, 0), Reason.BAD_ADDRESS_TYPE, "agent_address type", 4);
        refused(with(4, 3), Reason.BAD_ADDRESS_TYPE, "agent_address type", 4);
    }

    @Test
    void countsThatWouldNeedMoreBytesThanRemain() throws Exception {
        // 32 samples of 8 bytes would fit the 256 bytes after the count; 33 would not.
        for (int lie : new int[] {33, 1000, Integer.MAX_VALUE, -1}) {
            SflowFormatException e = refused(with(SAMPLES_COUNT, lie), Reason.COUNT_PAST_END, "samples", SAMPLES_COUNT);
            assertThat(e.getMessage()).contains("counts " + Integer.toUnsignedString(lie) + " samples");
        }
        SflowFormatException third = refused(with(SAMPLES_COUNT, 3), Reason.TRUNCATED, "data_format", 284);
        assertThat(third.getMessage())
                .isEqualTo(
                        "sFlow datagram byte 284, sample 2: field 'data_format' needs 4 bytes but 0 remain in the datagram");
        // 11 records of 8 bytes would fit the 88 bytes after the count; 12 would not.
        for (int lie : new int[] {12, 1 << 20, -1}) {
            firstSampleRefused(with(RECORDS_0, lie), Reason.COUNT_PAST_END, "flow_records", RECORDS_0);
        }
        // Fewer samples than there are: the rest is trailing bytes.
        refused(
                with(SAMPLES_COUNT, 1),
                Reason.TRAILING_BYTES,
                "samples",
                SAMPLE_0 + SflowEncoder.encodedSize(valid().samples().getFirst()));
        firstSampleRefused(with(RECORDS_0, 0), Reason.TRAILING_BYTES, "flow_records", RECORDS_0 + 4);
    }

    @Test
    void lengthsThatLie() throws Exception {
        int sampleLength = ByteBuffer.wrap(validBytes()).getInt(SAMPLE_0_LENGTH);
        // Past the datagram: the framing is lost, the whole datagram goes.
        for (int lie : new int[] {10_000, -1, -4}) {
            SflowFormatException e =
                    refused(with(SAMPLE_0_LENGTH, lie), Reason.LENGTH_PAST_END, "length", SAMPLE_0_LENGTH);
            assertThat(e.getMessage()).contains("sample 0").contains("remain in the datagram");
        }
        // Shorter or longer but inside the datagram: the next sample's header is read from the wrong place.
        assertThatThrownBy(() -> SflowDecoder.decode(with(SAMPLE_0_LENGTH, sampleLength - 4)))
                .isInstanceOf(SflowFormatException.class);
        assertThatThrownBy(() -> SflowDecoder.decode(with(SAMPLE_0_LENGTH, 0)))
                .isInstanceOf(SflowFormatException.class);
        // A record's length past its sample, a header's past its record: that sample only.
        firstSampleRefused(with(RECORD_0_LENGTH, 4000), Reason.LENGTH_PAST_SAMPLE, "length", RECORD_0_LENGTH);
        firstSampleRefused(with(RECORD_0_LENGTH, -1), Reason.LENGTH_PAST_SAMPLE, "length", RECORD_0_LENGTH);
        firstSampleRefused(with(HEADER_LENGTH_0, 65), Reason.LENGTH_PAST_RECORD, "header length", HEADER_LENGTH_0);
        firstSampleRefused(with(HEADER_LENGTH_0, -1), Reason.LENGTH_PAST_RECORD, "header length", HEADER_LENGTH_0);
        // A record shorter than its fields.
        firstSampleRefused(with(RECORD_0_LENGTH, 8), Reason.TRUNCATED, "stripped", RECORD_0_LENGTH + 12);
        // A header shorter than its record says: bytes left over in the record.
        firstSampleRefused(with(HEADER_LENGTH_0, 20), Reason.TRAILING_BYTES, "header", HEADER_LENGTH_0 + 4 + 20);
    }

    @Test
    void zeroSamplingRateAndHeaderLongerThanItsFrame() throws Exception {
        SflowFormatException e =
                firstSampleRefused(with(RATE_0, 0), Reason.ZERO_SAMPLING_RATE, "sampling_rate", RATE_0);
        assertThat(e.getMessage())
                .isEqualTo(
                        "sFlow datagram byte 44, sample 0 (flow sample): field 'sampling_rate' is 0: a sample stands for at least 1 packet");
        firstSampleRefused(with(FRAME_LENGTH_0, 61), Reason.HEADER_LONGER_THAN_FRAME, "header length", HEADER_LENGTH_0);
    }

    @Test
    void unknownFormatsAreKeptNotRefused() throws Exception {
        // Sample 0 becomes a sample of enterprise 4413's format 5; record 0 of sample 0 becomes format 1001.
        SflowDatagram unknownSample = SflowDecoder.decode(with(SAMPLE_0, 4413 << 12 | 5));
        assertThat(unknownSample.samples().getFirst()).isInstanceOf(UnknownSample.class);
        assertThat(unknownSample.samples().getFirst().format()).isEqualTo(4413 << 12 | 5);
        assertThat(unknownSample.samples().get(1)).isEqualTo(valid().samples().get(1));

        SflowDatagram unknownRecord = SflowDecoder.decode(with(RECORD_0_LENGTH - 4, SflowFormats.EXTENDED_SWITCH));
        FlowSample first = (FlowSample) unknownRecord.samples().getFirst();
        assertThat(first.records().getFirst()).isInstanceOf(UnknownFlowRecord.class);
        assertThat(((UnknownFlowRecord) first.records().getFirst()).length()).isEqualTo(16 + 64);
    }

    @Test
    void counterRecordsOfTheWrongSize() throws Exception {
        SflowDatagram datagram = new SflowDatagram(
                TestFrames.v4(192, 0, 2, 9),
                1,
                1,
                1,
                List.of(
                        CounterSample.of(1, GenericInterfaceCounters.builder(2).build()),
                        valid().samples().get(1)));
        byte[] bytes = SflowEncoder.encode(datagram);
        // Counter sample: format, length, sequence, source, count, then the record's format and length.
        int recordLength = SAMPLE_0 + 8 + 12 + 4;
        // 84: too short for the 88 bytes of if_counters; 92: runs past the sample's end.
        for (int lie : new int[] {84, 92}) {
            ByteBuffer edited = ByteBuffer.wrap(bytes.clone());
            edited.putInt(recordLength, lie);
            List<SflowFormatException> rejected = new ArrayList<>();
            SflowDatagram decoded = SflowDecoder.decode(edited, rejected::add);
            assertThat(rejected).hasSize(1);
            assertThat(rejected.getFirst().reason())
                    .isEqualTo(lie == 84 ? Reason.TRUNCATED : Reason.LENGTH_PAST_SAMPLE);
            assertThat(rejected.getFirst().getMessage())
                    .contains("sample 0 (counter sample), record 0 (")
                    .contains("field 'length'");
            assertThat(decoded.samples()).containsExactly(datagram.samples().get(1));
        }
    }
}

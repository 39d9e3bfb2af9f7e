package org.levee.sflow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.sflow.testing.RandomDatagrams;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes sFlow v5 datagrams, as attackers and broken agents may send them to the collector,
 * through all three decoding paths: the strict decode (the whole datagram or nothing), the
 * lenient one (bad samples left out and reported) and the visitor the collector uses, whose views
 * are read in full. Every error — of the datagram, or of a sample the lenient paths leave out —
 * must be an {@link SflowFormatException} whose message names the byte offset (inside the
 * datagram), the field and, for a sample, its number; the paths must agree; and a datagram that
 * decodes must re-encode to as many bytes that decode the same. {@link SflowMutationTest} runs
 * the same mutations through a live collector.
 */
@Tag("fuzz")
class SflowFuzzTest {
    /** One decoder for the whole run, as the collector keeps one: its agent cache sees every input. */
    private static final SflowDecoder DECODER = new SflowDecoder();

    static List<byte[]> seeds() {
        RandomDatagrams datagrams = new RandomDatagrams(0x5F10);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            seeds.add(SflowEncoder.encode(datagrams.next()));
        }
        return seeds;
    }

    @Test
    void datagrams() {
        FuzzRunner.run(FuzzFamily.bytes("sFlow datagrams")
                        .seeds(seeds())
                        .maxLength(65_535) // a UDP datagram
                        .target(SflowFuzzTest::decodeEveryWay)
                        .rejects(SflowFormatException.class, SflowMutationTest.MESSAGE.pattern())
                        .build())
                .assertNoCrashes();
    }

    /** The three paths; throws the strict path's error when there is one. */
    static void decodeEveryWay(byte[] input) throws SflowFormatException {
        SflowFormatException strictError = null;
        SflowDatagram strict = null;
        try {
            strict = SflowDecoder.decode(input);
        } catch (SflowFormatException e) {
            strictError = check(input, e);
        }
        List<SflowFormatException> left = new ArrayList<>();
        SflowFormatException lenientError = null;
        SflowDatagram lenient = null;
        try {
            lenient = SflowDecoder.decode(ByteBuffer.wrap(input), left::add);
        } catch (SflowFormatException e) {
            lenientError = check(input, e);
        }
        ReadEverything visitor = new ReadEverything();
        SflowFormatException visitorError = null;
        try {
            DECODER.decode(ByteBuffer.wrap(input), visitor);
        } catch (SflowFormatException e) {
            visitorError = check(input, e);
        }
        left.forEach(e -> check(input, e));
        visitor.rejected.forEach(e -> check(input, e));

        if (!Objects.equals(message(lenientError), message(visitorError))
                || !left.stream()
                        .map(Throwable::getMessage)
                        .toList()
                        .equals(visitor.rejected.stream()
                                .map(Throwable::getMessage)
                                .toList())) {
            throw new AssertionError("the lenient decode and the visitor disagree: " + message(lenientError) + " / "
                    + message(visitorError) + ", samples " + left + " / " + visitor.rejected);
        }
        boolean cleanly = lenientError == null && left.isEmpty();
        if ((strictError == null) != cleanly) {
            throw new AssertionError("the strict decode "
                    + (strictError == null ? "accepts" : "refuses (" + strictError.getMessage() + ")")
                    + " what the lenient one " + (cleanly ? "accepts" : "does not"));
        }
        if (strictError != null) {
            throw strictError;
        }
        if (!strict.equals(lenient)) {
            throw new AssertionError("strict and lenient decodes differ: " + strict + " / " + lenient);
        }
        byte[] again = SflowEncoder.encode(strict);
        if (again.length != input.length || !SflowDecoder.decode(again).equals(strict)) {
            throw new AssertionError(
                    "the datagram does not re-encode to " + input.length + " bytes that decode the same");
        }
    }

    /** {@code e} if its message names a field and an offset inside the datagram, else an AssertionError. */
    private static SflowFormatException check(byte[] input, SflowFormatException e) {
        Matcher matcher = SflowMutationTest.MESSAGE.matcher(e.getMessage());
        if (!matcher.matches()
                || Integer.parseInt(matcher.group(1)) != e.offset()
                || e.offset() < 0
                || e.offset() > input.length
                || e.field() == null
                || e.field().isBlank()) {
            throw new AssertionError(
                    "message '" + e.getMessage() + "' (offset " + e.offset() + ", field " + e.field()
                            + ") does not say where in the " + input.length + " bytes",
                    e);
        }
        return e;
    }

    private static String message(Throwable e) {
        return e == null ? null : e.getMessage();
    }

    /** Reads every value every view offers, as a collector might. */
    private static final class ReadEverything implements SflowVisitor {
        final List<SflowFormatException> rejected = new ArrayList<>();
        long sum;

        @Override
        public void datagram(DatagramView d) {
            sum += d.agentAddress().hashCode()
                    + d.subAgentId()
                    + d.sequenceNumber()
                    + d.uptimeMillis()
                    + d.sampleCount()
                    + d.length();
        }

        @Override
        public void flowSample(FlowSampleView s) {
            sum += s.index()
                    + (s.expanded() ? 1 : 0)
                    + s.sequenceNumber()
                    + s.sourceClass()
                    + s.sourceIndex()
                    + s.samplingRate()
                    + s.samplePool()
                    + s.drops()
                    + s.inputFormat()
                    + s.inputValue()
                    + s.outputFormat()
                    + s.outputValue()
                    + s.recordCount()
                    + s.datagram().length();
        }

        @Override
        public void rawPacketHeader(RawPacketHeaderView h) {
            byte[] copy = h.copyHeader();
            if (copy.length != h.headerLength()
                    || h.header().remaining() != h.headerLength()
                    || h.headerOffset() + h.headerLength() > h.buffer().limit()) {
                throw new AssertionError("raw header view of " + h.headerLength() + " bytes at " + h.headerOffset()
                        + " does not fit its buffer of " + h.buffer().limit());
            }
            for (int i = 0; i < copy.length; i++) {
                if (h.headerByte(i) != copy[i]) {
                    throw new AssertionError("headerByte(" + i + ") differs from the copy");
                }
            }
            sum += h.headerProtocol()
                    + h.frameLength()
                    + h.stripped()
                    + h.toRecord().hashCode()
                    + h.sample().index();
        }

        @Override
        public void flowRecord(FlowSampleView sample, int format, ByteBuffer buffer, int offset, int length) {
            if (offset < 0 || length < 0 || offset + length > buffer.limit()) {
                throw new AssertionError("flow record of " + length + " bytes at " + offset + " outside its buffer");
            }
            sum += format;
        }

        @Override
        public void counterSample(DatagramView datagram, CounterSample sample) {
            sum += sample.hashCode();
        }

        @Override
        public void unknownSample(DatagramView datagram, int format, ByteBuffer buffer, int offset, int length) {
            if (offset < 0 || length < 0 || offset + length > buffer.limit()) {
                throw new AssertionError("unknown sample of " + length + " bytes at " + offset + " outside its buffer");
            }
            sum += format;
        }

        @Override
        public void sampleRejected(DatagramView datagram, SflowFormatException problem) {
            rejected.add(problem);
        }
    }
}

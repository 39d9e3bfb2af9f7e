package org.levee.cbpf.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.PcapWriter.Resolution;
import org.levee.cbpf.testing.Command;
import org.levee.testing.Requirements;

/** pcap and pcapng files: our writers, files written by tcpdump/tshark/editcap, corrupt files. */
class PcapFilesTest {
    private static final int ETHERNET = LinkType.EN10MB.fileLinkType();

    /** Seeded records: corpus frames (some truncated captures) with increasing nanosecond timestamps. */
    static List<PcapRecord> records(long seed, int count) {
        Random random = new Random(seed);
        List<PcapRecord> records = new ArrayList<>();
        long time = 1_700_000_000_000_000_000L;
        for (PacketCorpus.Packet packet : PacketCorpus.wellFormed(seed, count)) {
            time += 1 + random.nextInt(1_000_000_000);
            records.add(new PcapRecord(time, packet.data(), packet.wireLength(), ETHERNET));
        }
        return records;
    }

    private static List<PcapRecord> truncatedToMicros(List<PcapRecord> records) {
        return records.stream()
                .map(r -> new PcapRecord(r.timestampNanos() / 1000 * 1000, r.data(), r.originalLength(), r.linkType()))
                .toList();
    }

    static Stream<Arguments> classicVariants() {
        return Stream.of(
                Arguments.of(Resolution.MICROSECONDS, ByteOrder.LITTLE_ENDIAN),
                Arguments.of(Resolution.MICROSECONDS, ByteOrder.BIG_ENDIAN),
                Arguments.of(Resolution.NANOSECONDS, ByteOrder.LITTLE_ENDIAN),
                Arguments.of(Resolution.NANOSECONDS, ByteOrder.BIG_ENDIAN));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("classicVariants")
    void classicPcapRoundTrips(Resolution resolution, ByteOrder order) throws IOException {
        List<PcapRecord> records = records(11, 200);
        byte[] file = writeClassic(records, resolution, order);
        List<PcapRecord> expected = resolution == Resolution.NANOSECONDS ? records : truncatedToMicros(records);
        assertThat(PcapFiles.read(file)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("classicVariants")
    void tcpdumpReadsOurPcapAndWritesWhatWeRead(Resolution resolution, ByteOrder order, @TempDir Path directory)
            throws IOException {
        Requirements.command("tcpdump");
        List<PcapRecord> records = records(12, 150);
        Path ours = directory.resolve("ours.pcap");
        Files.write(ours, writeClassic(records, resolution, order));
        Path theirs = directory.resolve("theirs.pcap");
        Command.run("tcpdump", "-r", ours.toString(), "--time-stamp-precision=nano", "-w", theirs.toString());
        List<PcapRecord> expected = resolution == Resolution.NANOSECONDS ? records : truncatedToMicros(records);
        assertThat(PcapFiles.read(theirs)).isEqualTo(expected);
    }

    /** tcpdump filtering our file keeps exactly the records our interpreter matches. */
    @Test
    void tcpdumpFiltersOurFileAsOurInterpreterDoes(@TempDir Path directory) throws IOException {
        Requirements.command("tcpdump");
        Requirements.library(Libpcap.SONAME);
        List<PcapRecord> records = records(13, 400);
        Path ours = directory.resolve("ours.pcap");
        PcapWriter.write(ours, LinkType.EN10MB, records);
        for (String expression : List.of("tcp port 80 or udp port 53", "vlan and ip", "ip6 and len > 100")) {
            Path filtered = directory.resolve("filtered.pcap");
            Command.run("tcpdump", "-r", ours.toString(), "-w", filtered.toString(), expression);
            CbpfProgram program = Libpcap.compile(expression);
            List<PcapRecord> expected = records.stream()
                    .filter(r -> CbpfInterpreter.matches(program, r.data(), r.wireLength()))
                    .toList();
            assertThat(expected).as("matches of '%s'", expression).isNotEmpty().hasSizeLessThan(records.size());
            assertThat(PcapFiles.read(filtered)).as(expression).isEqualTo(truncatedToMicros(expected));
        }
    }

    @Test
    void readsPcapngWrittenByEditcapAndTshark(@TempDir Path directory) throws IOException {
        Requirements.command("editcap");
        Requirements.command("tshark");
        List<PcapRecord> records = records(14, 120);
        Path ours = directory.resolve("ours.pcap");
        Files.write(ours, writeClassic(records, Resolution.NANOSECONDS, ByteOrder.LITTLE_ENDIAN));
        Path edited = directory.resolve("edited.pcapng");
        Command.run("editcap", "-F", "pcapng", ours.toString(), edited.toString());
        assertThat(PcapFiles.read(edited)).isEqualTo(records);
        Path microseconds = directory.resolve("micro.pcap");
        Files.write(microseconds, writeClassic(records, Resolution.MICROSECONDS, ByteOrder.BIG_ENDIAN));
        Path converted = directory.resolve("tshark.pcapng");
        Command.run("tshark", "-Q", "-r", microseconds.toString(), "-F", "pcapng", "-w", converted.toString());
        assertThat(PcapFiles.read(converted)).isEqualTo(truncatedToMicros(records));
    }

    static Stream<ByteOrder> byteOrders() {
        return Stream.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byteOrders")
    void pcapngWriterIsReadByUsAndByTcpdump(ByteOrder order, @TempDir Path directory) throws IOException {
        List<PcapRecord> records = records(15, 100);
        byte[] file = writeNg(records, order);
        assertThat(PcapFiles.read(file)).isEqualTo(records);
        Requirements.command("tcpdump");
        Path ours = directory.resolve("ours.pcapng");
        Files.write(ours, file);
        Path back = directory.resolve("back.pcap");
        Command.run("tcpdump", "-r", ours.toString(), "--time-stamp-precision=nano", "-w", back.toString());
        assertThat(PcapFiles.read(back)).isEqualTo(records);
    }

    /** Two sections of opposite byte order; a Simple Packet Block; blocks to skip; if_tsresol 2^-10. */
    @Test
    void readsSectionsSimplePacketsAndSkipsUnknownBlocks() throws IOException {
        byte[] frame = PacketCorpus.wellFormed(16, 1).getFirst().data();
        List<PcapRecord> read = PcapFiles.read(sectionsFile());
        assertThat(read)
                .containsExactly(
                        new PcapRecord(0, Arrays.copyOf(frame, 40), frame.length, 1),
                        new PcapRecord(3_000_000_000L, Arrays.copyOf(frame, 4), 64, 1),
                        new PcapRecord(5_000_000_000L, new byte[] {0x45, 0, 0, 20}, 20, 101));
    }

    /** The file of {@link #readsSectionsSimplePacketsAndSkipsUnknownBlocks}. */
    static byte[] sectionsFile() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] frame = PacketCorpus.wellFormed(16, 1).getFirst().data();
        // Section 1, little-endian: interface with 2^-10 s ticks and snaplen 40; an SPB; a custom block.
        file.writeBytes(block(
                ByteOrder.LITTLE_ENDIAN,
                0x0a0d0d0a,
                b -> b.putInt(0x1a2b3c4d)
                        .putShort((short) 1)
                        .putShort((short) 0)
                        .putLong(-1)));
        file.writeBytes(block(
                ByteOrder.LITTLE_ENDIAN,
                1,
                b -> b.putShort((short) 1)
                        .putShort((short) 0)
                        .putInt(40)
                        .putShort((short) 9)
                        .putShort((short) 1)
                        .put((byte) 0x8a)
                        .put(new byte[3])
                        .putInt(0)));
        file.writeBytes(block(
                ByteOrder.LITTLE_ENDIAN,
                3,
                b -> b.putInt(frame.length).put(frame).put(new byte[(4 - frame.length % 4) % 4])));
        file.writeBytes(block(ByteOrder.LITTLE_ENDIAN, 0x00000bad, b -> b.putInt(12345)));
        file.writeBytes(block(
                ByteOrder.LITTLE_ENDIAN,
                6,
                b -> b.putInt(0).putInt(0).putInt(3 * 1024).putInt(4).putInt(64).put(frame, 0, 4)));
        // Section 2, big-endian: interfaces start again from 0; raw IP, default microsecond ticks.
        file.writeBytes(writeNg(
                List.of(new PcapRecord(5_000_000_000L, new byte[] {0x45, 0, 0, 20}, 20, 101)),
                ByteOrder.BIG_ENDIAN,
                101));
        return file.toByteArray();
    }

    static Stream<Arguments> corruptFiles() throws IOException {
        byte[] classic = writeClassic(records(17, 3), Resolution.MICROSECONDS, ByteOrder.LITTLE_ENDIAN);
        int firstData = 24 + 16;
        int secondRecord = firstData
                + ByteBuffer.wrap(classic).order(ByteOrder.LITTLE_ENDIAN).getInt(24 + 8);
        byte[] ng = writeNg(records(17, 3), ByteOrder.LITTLE_ENDIAN);
        int shbLength = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
        int idbLength = ByteBuffer.wrap(ng).order(ByteOrder.LITTLE_ENDIAN).getInt(shbLength + 4);
        int epb = shbLength + idbLength;
        return Stream.of(
                Arguments.of("too short", Arrays.copyOf(classic, 3), 0, "too short"),
                Arguments.of(
                        "bad magic", patch(classic, 0, 0x12345678, ByteOrder.BIG_ENDIAN), 0, "magic number 0x12345678"),
                Arguments.of("truncated file header", Arrays.copyOf(classic, 20), 0, "truncated pcap file header"),
                Arguments.of("bad version", patch(classic, 4, 0x00040003, ByteOrder.LITTLE_ENDIAN), 4, "version 3.4"),
                Arguments.of(
                        "truncated record header",
                        Arrays.copyOf(classic, secondRecord + 10),
                        secondRecord,
                        "truncated record header"),
                Arguments.of(
                        "truncated record data",
                        Arrays.copyOf(classic, firstData + 5),
                        firstData,
                        "record 0 is truncated"),
                Arguments.of(
                        "implausible length",
                        patch(classic, 24 + 8, 0x7fffffff, ByteOrder.LITTLE_ENDIAN),
                        32,
                        "captured length 2147483647 is implausible"),
                Arguments.of(
                        "microseconds past a second",
                        patch(classic, 24 + 4, 1_000_000, ByteOrder.LITTLE_ENDIAN),
                        28,
                        "sub-second timestamp"),
                Arguments.of(
                        "bad byte-order magic",
                        patch(ng, 8, 0x11223344, ByteOrder.LITTLE_ENDIAN),
                        8,
                        "byte-order magic"),
                Arguments.of(
                        "block length not a multiple of 4",
                        patch(ng, shbLength + 4, 21, ByteOrder.LITTLE_ENDIAN),
                        shbLength + 4,
                        "multiple of 4"),
                Arguments.of("block past the end", Arrays.copyOf(ng, epb + 20), epb + 4, "truncated"),
                Arguments.of("block header past the end", Arrays.copyOf(ng, epb + 6), epb, "truncated block header"),
                Arguments.of(
                        "trailer mismatch",
                        patch(ng, epb - 4, 99, ByteOrder.LITTLE_ENDIAN),
                        epb - 4,
                        "trailing length 99"),
                Arguments.of(
                        "unknown interface", patch(ng, epb + 8, 3, ByteOrder.LITTLE_ENDIAN), epb + 8, "interface 3"),
                Arguments.of(
                        "captured length past the block",
                        patch(ng, epb + 20, 5000, ByteOrder.LITTLE_ENDIAN),
                        epb + 20,
                        "captured length 5000"),
                // Found by fuzzing (PcapFuzzTest): the nanoseconds wrapped to a negative timestamp.
                Arguments.of(
                        "timestamp past 2262",
                        patch(ng, epb + 12, 0x80000000, ByteOrder.LITTLE_ENDIAN),
                        epb + 12,
                        "is after 2262"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptFilesFailWithTheOffset(String what, byte[] file, int offset, String message) {
        PcapFormatException error = catchThrowableOfType(PcapFormatException.class, () -> PcapFiles.read(file));
        assertThat(error).as(what).isNotNull();
        assertThat(error.offset()).as(error.getMessage()).isEqualTo(offset);
        assertThat(error.getMessage())
                .startsWith("at byte offset " + offset + ": ")
                .contains(message);
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("broken.pcap");
        Files.write(file, new byte[30]);
        PcapFormatException error = catchThrowableOfType(PcapFormatException.class, () -> PcapFiles.read(file));
        assertThat(error.getMessage()).contains("broken.pcap").contains("magic number 0x00000000");
    }

    /** A writer of one format: its snapshot length, then one record written. */
    interface RecordWriting {
        void write(int snaplen, byte[] data, int originalLength) throws IOException;
    }

    static Stream<Arguments> writers() {
        RecordWriting classic = (snaplen, data, originalLength) -> {
            try (PcapWriter writer = new PcapWriter(
                    new ByteArrayOutputStream(), ETHERNET, snaplen, Resolution.NANOSECONDS, ByteOrder.LITTLE_ENDIAN)) {
                writer.write(0, data, originalLength);
            }
        };
        RecordWriting ng = (snaplen, data, originalLength) -> {
            try (PcapNgWriter writer =
                    new PcapNgWriter(new ByteArrayOutputStream(), ETHERNET, snaplen, ByteOrder.LITTLE_ENDIAN)) {
                writer.write(0, data, originalLength);
            }
        };
        return Stream.of(Arguments.of("pcap", classic), Arguments.of("pcapng", ng));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void writersRefuseLengthsTheFileCannotHold(String format, RecordWriting writing) throws IOException {
        assertThatThrownBy(() -> writing.write(0, new byte[1], 1))
                .as(format)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snaplen must be positive, got 0");
        assertThatThrownBy(() -> writing.write(64, new byte[65], 65))
                .as(format)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("record of 65 bytes exceeds the snapshot length 64");
        assertThatThrownBy(() -> writing.write(64, new byte[60], 59))
                .as(format)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("originalLength 59 is smaller than the 60 captured bytes");
        writing.write(64, new byte[64], 1500); // a full snapshot of a longer packet is what a capture holds
    }

    // ---- helpers ----

    static byte[] writeClassic(List<PcapRecord> records, Resolution resolution, ByteOrder order) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, ETHERNET, 65535, resolution, order)) {
            for (PcapRecord record : records) {
                writer.write(record);
            }
        }
        return out.toByteArray();
    }

    static byte[] writeNg(List<PcapRecord> records, ByteOrder order) throws IOException {
        return writeNg(records, order, ETHERNET);
    }

    static byte[] writeNg(List<PcapRecord> records, ByteOrder order, int linkType) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapNgWriter writer = new PcapNgWriter(out, linkType, 65535, order)) {
            for (PcapRecord record : records) {
                writer.write(record);
            }
        }
        return out.toByteArray();
    }

    private static byte[] patch(byte[] file, int offset, int value, ByteOrder order) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(order).putInt(offset, value);
        return copy;
    }

    static byte[] block(ByteOrder order, int type, java.util.function.Consumer<ByteBuffer> body) {
        ByteBuffer buffer = ByteBuffer.allocate(4096).order(order);
        buffer.putInt(type).putInt(0);
        body.accept(buffer);
        int length = buffer.position() + 4;
        buffer.putInt(length).putInt(4, length);
        return Arrays.copyOf(buffer.array(), length);
    }
}

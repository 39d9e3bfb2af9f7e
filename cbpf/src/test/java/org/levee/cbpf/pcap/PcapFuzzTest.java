package org.levee.cbpf.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.pcap.PcapWriter.Resolution;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes the capture file readers ({@link PcapFiles}: classic pcap in both byte orders and
 * resolutions, pcapng with sections, interfaces, Enhanced, Simple and obsolete Packet Blocks,
 * options and blocks to skip). A bad file must be a {@link PcapFormatException} whose message and
 * {@link PcapFormatException#offset()} name a byte inside the file; a file read must give records
 * that lie within it, with wire lengths no shorter than what was captured and timestamps that did
 * not wrap.
 */
@Tag("fuzz")
class PcapFuzzTest {

    static List<byte[]> seeds() throws IOException {
        List<byte[]> files = new ArrayList<>();
        int seed = 40;
        for (Resolution resolution : Resolution.values()) {
            for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                for (int count : new int[] {0, 1, 4}) {
                    files.add(PcapFilesTest.writeClassic(PcapFilesTest.records(seed++, count), resolution, order));
                }
            }
        }
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (int count : new int[] {0, 1, 4}) {
                files.add(PcapFilesTest.writeNg(PcapFilesTest.records(seed++, count), order));
            }
        }
        files.add(PcapFilesTest.sectionsFile());
        files.add(withObsoletePacketAndOptions());
        return files;
    }

    /** A pcapng interface with if_name and if_tsresol 10^-3, an obsolete Packet Block and an EPB with a comment. */
    private static byte[] withObsoletePacketAndOptions() throws IOException {
        byte[] frame = PcapFilesTest.records(3, 1).getFirst().data();
        byte[] name = "eth0".getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        file.writeBytes(PcapFilesTest.block(
                le,
                0x0a0d0d0a,
                b -> b.putInt(0x1a2b3c4d)
                        .putShort((short) 1)
                        .putShort((short) 0)
                        .putLong(-1)));
        file.writeBytes(PcapFilesTest.block(
                le,
                1,
                b -> b.putShort((short) 1)
                        .putShort((short) 0)
                        .putInt(0)
                        .putShort((short) 2)
                        .putShort((short) name.length)
                        .put(name)
                        .putShort((short) 9)
                        .putShort((short) 1)
                        .put((byte) 3)
                        .put(new byte[3])
                        .putInt(0)));
        file.writeBytes(PcapFilesTest.block(
                le,
                2,
                b -> b.putShort((short) 0)
                        .putShort((short) 0)
                        .putInt(0)
                        .putInt(1234)
                        .putInt(frame.length)
                        .putInt(frame.length)
                        .put(frame)
                        .put(new byte[(4 - frame.length % 4) % 4])));
        file.writeBytes(PcapFilesTest.block(
                le,
                6,
                b -> b.putInt(0)
                        .putInt(0)
                        .putInt(5678)
                        .putInt(8)
                        .putInt(frame.length)
                        .put(frame, 0, 8)
                        .putShort((short) 1)
                        .putShort((short) 3)
                        .put("hi!".getBytes(StandardCharsets.US_ASCII))
                        .put((byte) 0)
                        .putInt(0)));
        return file.toByteArray();
    }

    @Test
    void captureFiles() throws IOException {
        FuzzRunner.run(FuzzFamily.bytes("pcap and pcapng files")
                        .seeds(seeds())
                        .target(file -> {
                            List<PcapRecord> records;
                            try {
                                records = PcapFiles.read(file);
                            } catch (PcapFormatException e) {
                                if (e.offset() < 0 || e.offset() > file.length) {
                                    throw new AssertionError(
                                            "offset " + e.offset() + " is outside the file of " + file.length
                                                    + " bytes: " + e.getMessage(),
                                            e);
                                }
                                throw e;
                            }
                            for (PcapRecord record : records) {
                                if (record.capturedLength() > file.length
                                        || record.wireLength() < record.capturedLength()
                                        || record.timestampNanos() < 0) {
                                    throw new AssertionError("implausible record " + record);
                                }
                            }
                        })
                        .rejects(PcapFormatException.class, "^at byte offset \\d+: \\S")
                        .build())
                .assertNoCrashes();
    }
}

package org.levee.cbpf.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a capture file whichever its format: classic pcap or pcapng, recognised by its first bytes. */
public final class PcapFiles {
    private PcapFiles() {}

    public static List<PcapRecord> read(Path file) throws IOException {
        try {
            return read(Files.readAllBytes(file));
        } catch (PcapFormatException e) {
            throw new PcapFormatException(
                    e.offset(), file + ": " + e.getMessage().replaceFirst("^at byte offset \\d+: ", ""));
        }
    }

    public static List<PcapRecord> read(byte[] file) throws PcapFormatException {
        if (file.length < 4) {
            throw new PcapFormatException(
                    0, "the file is " + file.length + " bytes long, too short for a pcap or pcapng header");
        }
        if (PcapNgReader.startsWithSectionHeader(file)) {
            return PcapNgReader.read(file);
        }
        return PcapReader.read(file);
    }
}

package org.levee.cbpf.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cbpf.corpus.PacketCorpus.Packet;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.cbpf.testing.Command;
import org.levee.testing.Requirements;

/** The corpus is reproducible, varied, and its well-formed frames are well formed. */
class PacketCorpusTest {

    @Test
    void sameSeedSamePackets() {
        List<Packet> first = PacketCorpus.generate(42, 100);
        List<Packet> second = PacketCorpus.generate(42, 100);
        assertThat(first).hasSameSizeAs(second);
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.get(i).data()).isEqualTo(second.get(i).data());
            assertThat(first.get(i).wireLength()).isEqualTo(second.get(i).wireLength());
        }
        assertThat(PacketCorpus.generate(43, 100).getFirst().data())
                .isNotEqualTo(first.getFirst().data());
    }

    @Test
    void standardCorpusIsLargeAndCoversEveryKind() {
        List<Packet> corpus = PacketCorpus.standard();
        assertThat(corpus.size()).isGreaterThanOrEqualTo(2000);
        Set<String> kinds = corpus.stream().map(Packet::kind).collect(Collectors.toSet());
        assertThat(kinds)
                .contains(
                        "ipv4-tcp",
                        "ipv4-tcp-options",
                        "ipv4-udp",
                        "ipv4-icmp",
                        "ipv4-dns",
                        "ipv4-fragment-first",
                        "ipv4-fragment-later",
                        "ipv6-tcp",
                        "ipv6-udp",
                        "ipv6-icmpv6",
                        "ipv6-extension",
                        "arp",
                        "vlan",
                        "qinq",
                        "random",
                        "ipv4-tcp/truncated",
                        "vlan/truncated");
        assertThat(corpus).anyMatch(p -> p.wireLength() > p.data().length);
        assertThat(corpus).anyMatch(p -> p.data().length == 0);
    }

    /** IPv4 headers of untagged frames: version, lengths and header checksum are right. */
    @Test
    void ipv4HeadersAreConsistent() {
        int checked = 0;
        for (Packet packet : PacketCorpus.wellFormed(5, 500)) {
            byte[] frame = packet.data();
            if ((frame[12] & 0xff) != 0x08 || frame[13] != 0) {
                continue;
            }
            int headerLength = (frame[14] & 0xf) * 4;
            assertThat(frame[14] >> 4).isEqualTo(4);
            assertThat(headerLength).isBetween(20, 60);
            int totalLength = (frame[16] & 0xff) << 8 | frame[17] & 0xff;
            assertThat(totalLength).isBetween(headerLength, frame.length - 14);
            long sum = 0;
            for (int i = 0; i < headerLength; i += 2) {
                sum += (frame[14 + i] & 0xff) << 8 | frame[15 + i] & 0xff;
            }
            while (sum >> 16 != 0) {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            assertThat(sum).as("IPv4 header checksum of %s", packet).isEqualTo(0xffff);
            checked++;
        }
        assertThat(checked).isGreaterThan(100);
    }

    /**
     * tcpdump -vv verifies IP, TCP, UDP and ICMP checksums and reports headers cut short: it must
     * find neither (fragments and the "-other" kinds carry opaque payloads and are left out).
     */
    @Test
    void tcpdumpFindsNoBadChecksums(@TempDir Path directory) throws IOException {
        Requirements.command("tcpdump");
        List<Packet> packets = PacketCorpus.wellFormed(6, 400).stream()
                .filter(p -> p.wireLength() == p.data().length)
                .filter(p -> !p.kind().startsWith("ipv4-fragment") && !p.kind().endsWith("-other")) // opaque payloads
                .toList();
        Path file = directory.resolve("corpus.pcap");
        PcapWriter.write(
                file,
                LinkType.EN10MB,
                packets.stream()
                        .map(p -> new PcapRecord(0, p.data(), p.wireLength(), LinkType.EN10MB.fileLinkType()))
                        .toList());
        String decoded = Command.run("tcpdump", "-vv", "-nn", "-r", file.toString());
        assertThat(decoded.lines().filter(line -> line.matches("^\\d\\d:.*")).count())
                .isEqualTo(packets.size());
        assertThat(decoded)
                .doesNotContainIgnoringCase("bad cksum")
                .doesNotContain("[bad ")
                .doesNotContain("truncated")
                .contains("cksum 0x")
                .contains("correct");
    }
}

package org.levee.capture.pcapng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.capture.testing.Tools;
import org.levee.cbpf.pcap.PcapFiles;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.testing.Requirements;

/** The pcapng layout, checked by Levee's reader, tshark, capinfos and tcpdump. */
class PcapNgStreamWriterTest {
    private static final String[] NAMES = {"XDPaborted", "XDPdrop", "XDPpass", "XDPtx", "XDPredirect"};

    @TempDir
    Path dir;

    private record Written(int iface, long time, byte[] data, int originalLength, int verdict) {}

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void tsharkAndTcpdumpReadEveryFieldBack(long seed) throws Exception {
        Requirements.command("tshark");
        Requirements.command("capinfos");
        Requirements.command("tcpdump");
        Random random = new Random(seed);
        int interfaces = 1 + random.nextInt(NAMES.length);
        List<PcapNgInterface> ifaces = new ArrayList<>();
        for (int i = 0; i < interfaces; i++) {
            ifaces.add(new PcapNgInterface(
                    NAMES[i], "levee capture on eth" + i, "udp port " + (i + 1), PcapNgInterface.ETHERNET, 65535));
        }
        List<Written> written = new ArrayList<>();
        long time = 1_764_000_000_000_000_000L + random.nextLong(1_000_000_000_000L);
        Path file = dir.resolve("capture.pcapng");
        try (PcapNgStreamWriter w =
                new PcapNgStreamWriter(Files.newOutputStream(file), "levee capture", ifaces, false)) {
            for (int n = 0; n < 50; n++) {
                byte[] data = new byte[14 + random.nextInt(200)];
                random.nextBytes(data);
                int original = data.length + (random.nextBoolean() ? 0 : random.nextInt(3000));
                time += random.nextInt(1_000_000);
                Written p = new Written(random.nextInt(interfaces), time, data, original, random.nextInt(5));
                w.writePacket(p.iface, p.time, p.data, p.originalLength, p.verdict);
                written.add(p);
            }
            assertThat(w.packets()).isEqualTo(50);
        }

        List<PcapRecord> records = PcapFiles.read(file);
        assertThat(records).hasSize(written.size());
        List<String[]> rows = Tools.tsharkFields(
                file,
                "frame.interface_id",
                "frame.interface_name",
                "frame.verdict.ebpf_xdp",
                "frame.len",
                "frame.cap_len",
                "frame.time_epoch");
        assertThat(rows).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            Written p = written.get(i);
            assertThat(records.get(i).data()).isEqualTo(p.data);
            assertThat(records.get(i).originalLength()).isEqualTo(p.originalLength);
            assertThat(records.get(i).timestampNanos()).isEqualTo(p.time);
            String[] row = rows.get(i);
            assertThat(row[0]).as("interface id of packet %d", i).isEqualTo(Integer.toString(p.iface));
            assertThat(row[1]).isEqualTo(NAMES[p.iface]);
            assertThat(row[2]).as("verdict of packet %d", i).isEqualTo(Integer.toString(p.verdict));
            assertThat(row[3]).isEqualTo(Integer.toString(p.originalLength));
            assertThat(row[4]).isEqualTo(Integer.toString(p.data.length));
            assertThat(row[5]).isEqualTo(String.format("%d.%09d", p.time / 1_000_000_000L, p.time % 1_000_000_000L));
        }
        String info = Tools.run("capinfos", file.toString());
        assertThat(info)
                .contains("Capture application: levee capture")
                .contains("Number of interfaces in file: " + interfaces)
                .contains("Time precision = nanoseconds (9)");
        for (int i = 0; i < interfaces; i++) {
            assertThat(info)
                    .contains("Name = " + NAMES[i])
                    .contains("Filter string = udp port " + (i + 1))
                    .contains("Description = levee capture on eth" + i);
        }
        // tcpdump prints one line per packet, plus indented hex dumps for frames it cannot decode
        assertThat(Tools.run("tcpdump", "-nn", "-r", file.toString()).lines().filter(l -> !l.startsWith("\t")))
                .hasSize(written.size());
    }

    @Test
    void everyWriteIsOneWholeBlockAndFlushedWhenAsked() throws Exception {
        List<Integer> writes = new ArrayList<>();
        int[] flushes = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("single-byte write");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(len);
            }

            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        PcapNgStreamWriter w = new PcapNgStreamWriter(
                counting,
                "t",
                List.of(new PcapNgInterface("XDPdrop", null, null, PcapNgInterface.ETHERNET, 100)),
                true);
        int headerWrites = writes.size();
        int headerFlushes = flushes[0];
        w.writePacket(0, 1, new byte[61], 61, 1);
        assertThat(writes).hasSize(headerWrites + 1);
        assertThat(flushes[0]).isEqualTo(headerFlushes + 1);
        // 32 bytes of EPB header, fixed fields and trailer, 64 padded data bytes, epb_flags 8, epb_verdict 4 + 12, end
        // 4
        assertThat(writes.getLast()).isEqualTo(32 + 64 + 8 + 16 + 4);
    }

    @Test
    void badPacketsAreRefusedNamingTheProblem() throws Exception {
        PcapNgStreamWriter w = new PcapNgStreamWriter(
                new ByteArrayOutputStream(),
                "t",
                List.of(new PcapNgInterface("XDPdrop", null, null, PcapNgInterface.ETHERNET, 100)),
                false);
        assertThatThrownBy(() -> w.writePacket(1, 0, new byte[10], 10, 1))
                .hasMessageContaining("interface id 1")
                .hasMessageContaining("1 interfaces");
        assertThatThrownBy(() -> w.writePacket(0, 0, new byte[101], 101, 1))
                .hasMessageContaining("101 captured bytes exceeds the snaplen 100 of interface 0 (XDPdrop)");
        assertThatThrownBy(() -> w.writePacket(0, 0, new byte[10], 9, 1)).hasMessageContaining("original length 9");
        assertThatThrownBy(() -> new PcapNgInterface("x", null, null, 1, 0)).hasMessageContaining("snaplen");
    }
}

package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.testing.Requirements;

/** {@code levee filter compile|run}, executed in-process with captured output. */
@Tag("kernel")
class FilterCommandTest {

    @TempDir
    Path dir;

    @Test
    void statsCountTheFragmentAndTheLoadedProgram() {
        Requirements.library(Libpcap.SONAME);
        Requirements.root();
        CliRun r = CliRun.of("filter", "compile", "--stats", "ip");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("cbpf_insns: 4");
        assertThat(lines.get(1)).matches("ebpf_insns: \\d+");
        assertThat(Integer.parseInt(lines.get(1).split(": ")[1])).isBetween(1, 12);
        assertThat(lines.get(2)).matches("xlated_insns: [1-9]\\d*");
        assertThat(lines.get(3)).matches("jited_bytes: [1-9]\\d*");
    }

    @Test
    void printsEveryForm() {
        Requirements.library(Libpcap.SONAME);
        assertThat(CliRun.of("filter", "compile", "--to", "ddd", "ip").out()).startsWith("4\n40 0 0 12\n");
        assertThat(CliRun.of("filter", "compile", "--to", "bytecode", "ip").out())
                .startsWith("4,40 0 0 12,");
        assertThat(CliRun.of("filter", "compile", "--to", "asm", "ip").out())
                .contains("ldh")
                .contains("[12]");
        assertThat(CliRun.of("filter", "compile", "--to", "c", "tcp", "port", "80")
                        .out())
                .contains("int levee_filter(const unsigned char *start, const unsigned char *end)");
        assertThat(CliRun.of("filter", "compile", "--to", "ebpf", "--cbpf", "1,6 0 0 1")
                        .out())
                .contains("exit");
        assertThat(CliRun.of("filter", "compile", "--linktype", "raw", "--to", "ddd", "ip")
                        .out())
                .doesNotStartWith("4\n40 0 0 12");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "tcp port |expression 'tcp port'",
                "--cbpf=2,6 0 0 1|--cbpf: instruction 1",
                "--cbpf=1,6 x 0 1|--cbpf: instruction 0, column",
                "--cbpf=2,21 0 5 1,6 0 0 1|instruction 0",
                "--cbpf=1,40 0 0 12|instruction 0",
                "--cbpf=2,255 0 0 0,6 0 0 1|instruction 0",
                "--cbpf=2,32 0 0 4294963236,6 0 0 1|instruction 0",
            })
    void badInputIsOneLineAndExitCodeTwo(String argument, String expected) {
        Requirements.library(Libpcap.SONAME);
        List<String> args = new ArrayList<>(List.of("filter", "compile"));
        // --cbpf=... is one argument (the shell would get it quoted); an expression is several words
        args.addAll(argument.startsWith("--cbpf=") ? List.of(argument) : List.of(argument.split(" ")));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).contains(expected);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void everyEngineGivesTheSameVerdicts() throws Exception {
        Requirements.library(Libpcap.SONAME);
        Requirements.root();
        Path pcap = dir.resolve("corpus.pcap");
        List<PcapRecord> records = new ArrayList<>();
        for (PacketCorpus.Packet p : PacketCorpus.generate(99, 60)) {
            records.add(new PcapRecord(0, p.data(), p.data().length, LinkType.EN10MB.fileLinkType()));
        }
        PcapWriter.write(pcap, LinkType.EN10MB, records);
        String expected = null;
        for (String engine : List.of("kernel", "interpreter", "libpcap", "kernel-cbpf")) {
            CliRun r = CliRun.of("filter", "run", "--pcap", pcap.toString(), "--engine", engine, "tcp or udp port 53");
            assertThat(r.exitCode()).as(engine + ": " + r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(records.size());
            for (int n = 0; n < lines.size(); n++) {
                assertThat(lines.get(n)).matches((n + 1) + " (match|nomatch)");
            }
            if (expected == null) {
                expected = r.out();
                assertThat(expected).contains(" match").contains(" nomatch");
            } else {
                assertThat(r.out()).as(engine).isEqualTo(expected);
            }
        }
    }

    @Test
    void anUnreadableCaptureIsOneLine() throws Exception {
        Requirements.library(Libpcap.SONAME);
        Path garbage = Files.write(dir.resolve("garbage.pcap"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        for (Path file : List.of(garbage, dir.resolve("missing.pcap"))) {
            CliRun r = CliRun.of("filter", "run", "--pcap", file.toString(), "--engine", "interpreter", "ip");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err().lines().toList()).hasSize(1);
            assertThat(r.err()).contains(file.getFileName().toString());
        }
    }
}

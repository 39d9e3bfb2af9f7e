package org.levee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.signatures.DnsQueryFilter;
import org.levee.signatures.DnsValidateFilter;
import org.levee.signatures.P0fFilter;
import org.levee.signatures.SuffixFilter;
import org.levee.testing.Requirements;
import picocli.CommandLine;

/** The generator commands of {@code levee filter}, run in-process. */
@Tag("kernel")
class FilterGeneratorCommandsTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {}

    static Run levee(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void eachGeneratorPrintsItsProgramAsBytecode() {
        assertThat(program(levee("filter", "dns", "-i", "--port", "5353", "*.example.com", "example.**")))
                .isEqualTo(DnsQueryFilter.of(List.of("*.example.com", "example.**"), true, 5353, LinkType.EN10MB)
                        .program());
        assertThat(program(levee("filter", "dns", "--linktype", "raw", "example.com")))
                .isEqualTo(DnsQueryFilter.of(List.of("example.com"), false, 53, LinkType.RAW)
                        .program());
        assertThat(program(levee("filter", "dns-validate", "--strict")))
                .isEqualTo(new DnsValidateFilter(true, 53, LinkType.EN10MB).program());
        String linux = "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0";
        assertThat(program(levee("filter", "p0f", linux)))
                .isEqualTo(P0fFilter.of(linux, LinkType.EN10MB).program());
        assertThat(program(levee("filter", "suffix", "01", "0203")))
                .isEqualTo(SuffixFilter.parseHex("010203").program());
    }

    /** A generator's output is what filter run --cbpf and filter compile --cbpf read. */
    @Test
    void outputFeedsFilterRunAndCompile(@TempDir Path dir) throws Exception {
        Requirements.root();
        String bytecode = levee("filter", "suffix", "c0ffee").out().strip();
        Path pcap = dir.resolve("frames.pcap");
        byte[] match = new byte[60];
        match[57] = (byte) 0xc0;
        match[58] = (byte) 0xff;
        match[59] = (byte) 0xee;
        PcapWriter.write(
                pcap,
                LinkType.EN10MB,
                List.of(new PcapRecord(0, new byte[60], 60, 1), new PcapRecord(1000, match, 60, 1)));
        for (String engine : List.of("interpreter", "kernel-cbpf", "kernel")) {
            Run run = levee("filter", "run", "--cbpf", bytecode, "--pcap", pcap.toString(), "--engine", engine);
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).as(engine).isEqualTo("1 nomatch\n2 match\n");
        }
        String dns = levee("filter", "dns", "*.example.com").out().strip();
        Run compiled = levee("filter", "compile", "--cbpf", dns);
        assertThat(compiled.exit()).as(compiled.err()).isZero();
        assertThat(compiled.out()).isNotBlank();
    }

    @Test
    void otherFormats() {
        CbpfProgram program = SuffixFilter.parseHex("010203").program();
        Run ddd = levee("filter", "suffix", "--to", "ddd", "010203");
        assertThat(ddd.exit()).isZero();
        assertThat(CbpfText.parseDdd(ddd.out())).isEqualTo(program);
        Run asm = levee("filter", "suffix", "--to", "asm", "010203");
        assertThat(asm.exit()).isZero();
        assertThat(asm.out())
                .isEqualTo(CbpfText.printListing(program))
                .contains("#pktlen")
                .contains("ret      #262144");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "filter dns a..b|levee filter dns: pattern 1 'a..b', label 2 '': empty label",
                "filter dns --port 70000 a|levee filter dns: --port 70000 is not a port number (0..65535)",
                "filter p0f 4:64:0:*:*,*::bogus:0|levee filter p0f: p0f signature field 'quirks' ('bogus'): 'bogus' is not a quirk",
                "filter suffix 0g|levee filter suffix: suffix '0g': character 2 'g' is not a hex digit",
            })
    void badInputIsOneLineAndExitTwo(String args, String line) {
        Run run = levee(args.split(" "));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith(line);
    }

    @Test
    void unknownOptionValuesAreUsageErrors() {
        assertThat(levee("filter", "dns", "--linktype", "sll", "a").exit()).isEqualTo(2);
        assertThat(levee("filter", "suffix", "--to", "c", "01").exit()).isEqualTo(2);
        assertThat(levee("filter", "dns").exit()).isEqualTo(2);
    }

    private static CbpfProgram program(Run run) {
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).endsWith("\n").doesNotContain("\n\n");
        return CbpfText.parseBytecode(run.out());
    }
}

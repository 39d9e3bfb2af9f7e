package org.levee.dataplane.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.elf.BpfObject;
import org.levee.ebpf.elf.DataSection;
import org.levee.ebpf.elf.ElfReader;
import org.levee.ebpf.elf.ElfWriter;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.testing.Requirements;

class RuleSetObjectTest {
    static final String RULES = """
            version: v7
            rules:
              - {id: memcached-amp, filter: udp and src port 11211, action: drop, datacenters: [ams], comment: amp}
              - {id: limit-dns, filter: udp and dst port 53, destinations: [198.51.100.0/24], action: ratelimit, pps: 10, burst: 5}
              - {id: allow, filter: tcp, action: pass, expires: "2030-01-01T00:00:00Z", origin: auto}
            """;

    @BeforeAll
    static void requirements() {
        Requirements.library("libpcap.so.0.8");
    }

    static RuleSetObject compile(String yaml, int maxRuleSlots) {
        RuleSet set = RuleCodec.parse("r.yaml", yaml);
        return RuleSetObject.compile(
                set, new RuleFilters().compile("r.yaml", set), new ProgramBuilder(128, maxRuleSlots));
    }

    @Test
    void roundTripsThroughElf() {
        for (int slots : new int[] {30_000, 1}) { // one program, and a chain of one rule per program
            RuleSetObject object = compile(RULES, slots);
            RuleSetObject read = RuleSetObject.fromElf("r.o", object.toElf());
            assertThat(read).isEqualTo(object);
            assertThat(read.program().programs()).hasSize(slots == 1 ? 3 : 1);
            assertThat(read.rules().getFirst().datacenters()).containsExactly("ams");
            assertThat(read.rules().get(1).action()).isEqualTo(new org.levee.rules.Action.RateLimit(10, 5));
        }
    }

    @Test
    void readelfAndObjdumpReadItWithoutComplaint(@TempDir Path dir) throws Exception {
        Requirements.command("readelf");
        Requirements.command("llvm-objdump");
        Path file = dir.resolve("rules.o");
        Files.write(file, compile(RULES, 30_000).toElf());
        Output readelf = run("readelf", "-W", "-h", "-S", "-s", "-r", file.toString());
        assertThat(readelf.exit()).isZero(); // binutils names R_BPF_64_64 (type 1) R_BPF_INSN_64
        assertThat(readelf.err()).isEmpty();
        assertThat(readelf.out())
                .contains(
                        "REL (Relocatable file)",
                        "Linux BPF",
                        ".levee.rules",
                        "license",
                        "rule_memcached-amp_enabled",
                        "rule_limit-dns_enabled",
                        "rule_allow_enabled",
                        "R_BPF_INSN_64",
                        "R_BPF_NONE",
                        "levee_counters",
                        "xdpcap_hook");
        Output objdump = run("llvm-objdump", "-d", "-r", file.toString());
        assertThat(objdump.exit()).isZero();
        assertThat(objdump.err()).doesNotContainIgnoringCase("warning").doesNotContainIgnoringCase("error");
        assertThat(objdump.out())
                .contains(
                        "<levee>:",
                        "R_BPF_NONE\trule_memcached-amp_enabled",
                        "if r9 >= 0 goto",
                        "call 1",
                        "r0 = cmpxchg_64(r8 + 0, r0, r2)");
        // llvm-objdump 14 has no mnemonic for JMP32 JSET (opcode 0x46, used by the compiler's
        // fragments); every other instruction of the object must disassemble
        assertThat(objdump.out().lines().filter(l -> l.contains("<unknown>")))
                .allSatisfy(line -> assertThat(line).matches("\\s*\\d+:\\s+46 .*"));
    }

    @Test
    void refusesWhatIsNotARuleSetObject() {
        assertThatThrownBy(() -> RuleSetObject.fromElf("x.o", "not an elf".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(RuleSetObjectException.class)
                .hasMessageStartingWith("x.o: not a BPF object");
        BpfObject parsed = ElfReader.read(compile(RULES, 30_000).toElf());
        BpfObject noMetadata =
                new BpfObject(parsed.license(), parsed.programs(), parsed.maps(), parsed.constants(), List.of());
        assertThatThrownBy(() -> RuleSetObject.fromElf("y.o", ElfWriter.write(noMetadata)))
                .hasMessageContaining("y.o: no .levee.rules section");
        String metadata = new String(parsed.dataSections().getFirst().data(), StandardCharsets.UTF_8);
        BpfObject future = withMetadata(parsed, metadata.replace("\"format\" : 1", "\"format\" : 99"));
        assertThatThrownBy(() -> RuleSetObject.fromElf("z.o", ElfWriter.write(future)))
                .hasMessageContaining("format 99");
        BpfObject renamed = withMetadata(parsed, metadata.replace("\"allow\"", "\"allowed\""));
        assertThatThrownBy(() -> RuleSetObject.fromElf("w.o", ElfWriter.write(renamed)))
                .hasMessageContaining("w.o: ")
                .hasMessageContaining("rule_allow_enabled");
        BpfObject badDate = withMetadata(parsed, metadata.replace("2030-01-01T00:00:00Z", "soon"));
        assertThatThrownBy(() -> RuleSetObject.fromElf("v.o", ElfWriter.write(badDate)))
                .hasMessageContaining("rules[2]");
    }

    /**
     * Found by fuzzing (RuleSetObjectFuzzTest): metadata the writer cannot write back (pps on a
     * drop rule, an unknown action or origin) was read, and the object then changed on its way
     * through toElf().
     */
    @Test
    void refusesMetadataThatWouldNotSurviveARoundTrip() {
        BpfObject parsed = ElfReader.read(compile(RULES, 30_000).toElf());
        String metadata = new String(parsed.dataSections().getFirst().data(), StandardCharsets.UTF_8);
        assertThat(metadata).contains("\"action\" : \"drop\",\n", "\"origin\" : \"auto\"");
        BpfObject rateOnDrop = withMetadata(
                parsed, metadata.replaceFirst("\"action\" : \"drop\",", "\"action\" : \"drop\", \"pps\" : 5,"));
        assertThatThrownBy(() -> RuleSetObject.fromElf("a.o", ElfWriter.write(rateOnDrop)))
                .isInstanceOf(RuleSetObjectException.class)
                .hasMessage("a.o: .levee.rules: rules[0]: pps 5 and burst 0 apply only to action ratelimit, not drop");
        BpfObject unknownAction =
                withMetadata(parsed, metadata.replaceFirst("\"action\" : \"drop\"", "\"action\" : \"0rop\""));
        assertThatThrownBy(() -> RuleSetObject.fromElf("b.o", ElfWriter.write(unknownAction)))
                .hasMessage("b.o: .levee.rules: rules[0]: action '0rop' is not drop, pass or ratelimit");
        BpfObject zeroRate = withMetadata(parsed, metadata.replaceFirst("\"pps\" : 10", "\"pps\" : 0"));
        assertThatThrownBy(() -> RuleSetObject.fromElf("c.o", ElfWriter.write(zeroRate)))
                .hasMessage("c.o: .levee.rules: rules[1]: pps 0 is outside 1..1000000000");
        BpfObject unknownOrigin =
                withMetadata(parsed, metadata.replaceFirst("\"origin\" : \"auto\"", "\"origin\" : \"robot\""));
        assertThatThrownBy(() -> RuleSetObject.fromElf("d.o", ElfWriter.write(unknownOrigin)))
                .hasMessage("d.o: .levee.rules: rules[2]: origin 'robot' is not manual or auto");
    }

    private static BpfObject withMetadata(BpfObject object, String json) {
        return new BpfObject(
                object.license(),
                object.programs(),
                object.maps(),
                object.constants(),
                List.of(new DataSection(RuleSetObject.METADATA_SECTION, json.getBytes(StandardCharsets.UTF_8))));
    }

    record Output(int exit, String out, String err) {}

    static Output run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Output(p.waitFor(), out, err);
    }
}

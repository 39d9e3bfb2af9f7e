package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.testing.Requirements;

@Tag("kernel")
class ProgramTest {
    @BeforeEach
    void needsRoot() {
        Requirements.root();
    }

    @ParameterizedTest
    @ValueSource(ints = {TestPrograms.XDP_ABORTED, TestPrograms.XDP_DROP, TestPrograms.XDP_PASS, 3, 4})
    void testRunReturnsTheProgramsValue(int action) {
        try (Program p = Program.load(ProgramSpec.xdp("ret", TestPrograms.returning(action)))) {
            TestRunResult r = p.testRun(TestRun.of(TestPrograms.udpFrame()));
            assertThat(r.returnValue()).isEqualTo(action);
            assertThat(r.dataOut()).isEqualTo(TestPrograms.udpFrame());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void testRunReturnsThePacketAsTheProgramLeftIt(long seed) {
        Random random = new Random(seed);
        int marker = random.nextInt(256);
        byte[] packet = new byte[14 + random.nextInt(200)];
        random.nextBytes(packet);
        try (Program p = Program.load(ProgramSpec.xdp("mark", TestPrograms.markFirstByte(marker)))) {
            TestRunResult r = p.testRun(TestRun.of(packet));
            byte[] expected = packet.clone();
            expected[0] = (byte) marker;
            assertThat(r.returnValue()).isEqualTo(TestPrograms.XDP_PASS);
            assertThat(r.dataOut()).isEqualTo(expected);
            assertThat(r.durationNanos()).isPositive();
        }
    }

    @Test
    void repeatedRunsReportTheKernelsDuration() {
        try (Program p = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(TestPrograms.XDP_PASS)))) {
            TestRunResult r = p.testRun(TestRun.of(TestPrograms.udpFrame()).withRepeat(1000));
            assertThat(r.returnValue()).isEqualTo(TestPrograms.XDP_PASS);
            assertThat(r.durationNanos()).isBetween(1L, 100_000L);
        }
    }

    @Test
    void socketFiltersLoadAndRun() {
        try (Program p = Program.load(ProgramSpec.socketFilter("sf", TestPrograms.returning(7)))) {
            assertThat(p.type()).isEqualTo(ProgramType.SOCKET_FILTER);
            assertThat(p.testRun(TestRun.of(TestPrograms.udpFrame())).returnValue())
                    .isEqualTo(7);
        }
    }

    @Test
    void aRejectedProgramsExceptionCarriesTheVerifierLog() {
        ProgramSpec bad = ProgramSpec.xdp("bad", TestPrograms.readsUninitialisedR0());
        assertThatThrownBy(() -> Program.load(bad)).isInstanceOfSatisfying(BpfException.class, e -> {
            assertThat(e.command()).isEqualTo(BpfCommand.BPF_PROG_LOAD);
            assertThat(e.errnoName()).isEqualTo("EACCES");
            assertThat(e.verifierLog()).contains("R0 !read_ok");
            assertThat(e.getMessage()).contains("xdp program 'bad'", "EACCES", "R0 !read_ok", "verifier");
        });
    }

    @Test
    void theVerifierLogIsKeptOnRequest() {
        ProgramSpec spec = ProgramSpec.xdp("logged", TestPrograms.returning(2)).withLogLevel(2);
        try (Program p = Program.load(spec)) {
            assertThat(p.verifierLog()).contains("processed 2 insns");
        }
        try (Program p = Program.load(spec.withLogLevel(0))) {
            assertThat(p.verifierLog()).isEmpty();
        }
    }

    @Test
    void objectInfoDescribesTheLoadedProgram() {
        try (BpfMap counter = BpfMap.create(MapSpec.array("cnt", 8, 1));
                BpfMap ring = BpfMap.create(MapSpec.ringBuffer("ring", 4096));
                Program p = Program.load(
                        ProgramSpec.xdp("infoprog", TestPrograms.countIntoRingBuffer(counter.fd(), ring.fd())))) {
            ProgramInfo info = p.info();
            assertThat(info.type()).isEqualTo(ProgramType.XDP);
            assertThat(info.name()).isEqualTo("infoprog");
            assertThat(info.id()).isPositive();
            assertThat(info.tag()).hasSize(8).isNotEqualTo(new byte[8]);
            assertThat(info.xlatedLength()).isPositive().isEqualTo(info.xlated().length);
            assertThat(info.xlated().length % 8).isZero();
            assertThat(info.jitedLength()).isPositive();
            assertThat(info.verifiedInstructions()).isPositive();
            assertThat(info.mapIds())
                    .containsExactlyInAnyOrder(counter.info().id(), ring.info().id());

            try (Program again = Program.fromId(info.id())) {
                assertThat(again.info().tagHex()).isEqualTo(info.tagHex());
                assertThat(again.name()).isEqualTo("infoprog");
            }
        }
    }

    @Test
    void theXlatedDumpOfASimpleProgramIsItsInstructions() {
        byte[] code = TestPrograms.returning(TestPrograms.XDP_PASS);
        try (Program p = Program.load(ProgramSpec.xdp("simple", code))) {
            assertThat(InstructionCodec.decode(p.info().xlated())).isEqualTo(InstructionCodec.decode(code));
        }
    }

    @Test
    void pinnedProgramsOutliveTheirFds() {
        Path dir = BpfFs.directory(
                "levee-test-prog-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Path pin = dir.resolve("prog");
            int id;
            try (Program p = Program.load(ProgramSpec.xdp("pinme", TestPrograms.returning(TestPrograms.XDP_DROP)))) {
                p.pin(pin);
                id = p.info().id();
                assertThatThrownBy(() -> p.pin(pin))
                        .isInstanceOfSatisfying(
                                BpfException.class,
                                e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
            }
            try (Program again = Program.openPinned(pin)) {
                assertThat(again.info().id()).isEqualTo(id);
                assertThat(again.testRun(TestRun.of(TestPrograms.udpFrame())).returnValue())
                        .isEqualTo(TestPrograms.XDP_DROP);
            }
        } finally {
            BpfFs.removeTree(dir);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void theSameInstructionsHaveTheSameTag() {
        try (Program a = Program.load(ProgramSpec.xdp("a", TestPrograms.dropIpv4Udp()));
                Program b = Program.load(ProgramSpec.xdp("b", TestPrograms.dropIpv4Udp()));
                Program c = Program.load(ProgramSpec.xdp("c", TestPrograms.returning(1)))) {
            assertThat(a.info().tagHex())
                    .isEqualTo(b.info().tagHex())
                    .isNotEqualTo(c.info().tagHex());
            assertThat(a.info().id()).isNotEqualTo(b.info().id());
        }
    }

    @Test
    void theUdpDropperDropsUdpAndPassesTheRest() {
        try (Program p = Program.load(ProgramSpec.xdp("dropudp", TestPrograms.dropIpv4Udp()))) {
            byte[] udp = TestPrograms.udpFrame();
            byte[] tcp = udp.clone();
            tcp[23] = 6;
            byte[] ipv6 = udp.clone();
            ipv6[12] = (byte) 0x86;
            ipv6[13] = (byte) 0xdd;
            assertThat(p.testRun(TestRun.of(udp)).returnValue()).isEqualTo(TestPrograms.XDP_DROP);
            assertThat(p.testRun(TestRun.of(tcp)).returnValue()).isEqualTo(TestPrograms.XDP_PASS);
            assertThat(p.testRun(TestRun.of(ipv6)).returnValue()).isEqualTo(TestPrograms.XDP_PASS);
        }
    }

    @Test
    void aTooShortXdpPacketIsRejectedWithAHint() {
        try (Program p = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(2)))) {
            assertThatThrownBy(() -> p.testRun(TestRun.of(new byte[4])))
                    .isInstanceOfSatisfying(BpfException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("EINVAL");
                        assertThat(e.getMessage()).contains("BPF_PROG_TEST_RUN", "14 bytes");
                    });
        }
    }

    @Test
    void aClosedProgramCannotBeUsed() {
        Program p = Program.load(ProgramSpec.xdp("pass", TestPrograms.returning(2)));
        p.close();
        p.close(); // idempotent
        assertThatThrownBy(p::fd).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void badSpecsAreRejectedNamingTheProblem() {
        assertThatThrownBy(() -> ProgramSpec.xdp("has space", TestPrograms.returning(2)))
                .hasMessageContaining("' ' at index 3");
        assertThatThrownBy(() -> ProgramSpec.xdp("abcdefghijklmnop", TestPrograms.returning(2)))
                .hasMessageContaining("16 characters");
        assertThatThrownBy(() -> ProgramSpec.xdp("odd", new byte[12]))
                .hasMessageContaining("12 bytes")
                .hasMessageContaining("multiple of 8");
    }
}

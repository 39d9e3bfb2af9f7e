package org.levee.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.capture.testing.Frames;
import org.levee.capture.testing.TestDataPlane;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
import org.levee.testing.Requirements;

/**
 * Capture programs in a hook, driven by test runs of a data plane that drops {@code udp dst port 9}:
 * verdicts, filters, record contents, counters and the slot policy, checked packet by packet
 * against libpcap's own filter.
 */
@Tag("kernel")
class CaptureProgramTest {
    private static final String DROP_RULE = "udp dst port 9";

    private String unique;

    @BeforeEach
    void requirements() {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        unique = "cap-" + HexFormat.of().formatHex(r);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void capturesExactlyWhatTheFilterMatchesWithUnchangedVerdicts(long seed) throws Exception {
        Random random = new Random(seed);
        String expression = new String[] {"udp", "dst port 10", "tcp or udp dst port 9", "ip"}[(int) (seed % 4)];
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique);
                CaptureSession session = CaptureSession.start(CaptureSession.Spec.of(
                        plane.hookPath,
                        EnumSet.of(XdpAction.DROP, XdpAction.PASS),
                        CaptureFilter.expression(expression)))) {
            List<byte[]> expected = new ArrayList<>();
            List<XdpAction> expectedActions = new ArrayList<>();
            long before = System.nanoTime();
            int drops = 0;
            for (int i = 0; i < 300; i++) {
                byte[] frame = Frames.random(random);
                boolean dropped = Libpcap.offlineFilter(Libpcap.compile(DROP_RULE), frame, frame.length);
                XdpAction action = dropped ? XdpAction.DROP : XdpAction.PASS;
                drops += dropped ? 1 : 0;
                int verdict = plane.program.testRun(TestRun.of(frame)).returnValue();
                assertThat(verdict).as("verdict of packet %d", i).isEqualTo(action.code());
                if (Libpcap.offlineFilter(session.filter().program(), frame, frame.length)) {
                    expected.add(frame);
                    expectedActions.add(action);
                }
            }
            long after = System.nanoTime();
            List<CaptureRecord> records = new ArrayList<>();
            while (session.poll(Duration.ofMillis(200), records::add) > 0) {
                // keep reading until the ring is empty
            }
            assertThat(records).hasSize(expected.size());
            for (int i = 0; i < records.size(); i++) {
                CaptureRecord r = records.get(i);
                assertThat(r.data()).as("bytes of record %d", i).isEqualTo(expected.get(i));
                assertThat(r.originalLength()).isEqualTo(expected.get(i).length);
                assertThat(r.action()).isEqualTo(expectedActions.get(i));
                assertThat(r.monotonicNanos()).isBetween(before, after);
            }
            List<ActionStats> stats = session.stats();
            assertThat(stats).extracting(ActionStats::action).containsExactly(XdpAction.DROP, XdpAction.PASS);
            assertThat(stats.get(0).received()).isEqualTo(drops);
            assertThat(stats.get(1).received()).isEqualTo(300 - drops);
            assertThat(stats.get(0).matched() + stats.get(1).matched()).isEqualTo(expected.size());
            assertThat(stats).allSatisfy(s -> assertThat(s.lost()).isZero());
        }
    }

    @Test
    void capturesOnlyTheChosenActionsAndEmptiesTheHookOnClose() throws Exception {
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique)) {
            try (CaptureSession session = CaptureSession.start(
                    CaptureSession.Spec.of(plane.hookPath, EnumSet.of(XdpAction.DROP), CaptureFilter.ALL))) {
                assertThat(plane.hookEmpty()).isFalse();
                byte[] dropped = Frames.ipv4(Frames.UDP, 5000, 9, new byte[10]);
                byte[] passed = Frames.ipv4(Frames.UDP, 5000, 10, new byte[10]);
                assertThat(plane.program.testRun(TestRun.of(passed)).returnValue())
                        .isEqualTo(XdpAction.PASS.code());
                assertThat(plane.program.testRun(TestRun.of(dropped)).returnValue())
                        .isEqualTo(XdpAction.DROP.code());
                List<CaptureRecord> records = new ArrayList<>();
                session.poll(Duration.ofSeconds(1), records::add);
                assertThat(records).extracting(CaptureRecord::action).containsExactly(XdpAction.DROP);
                assertThat(records.getFirst().data()).isEqualTo(dropped);
            }
            assertThat(plane.hookEmpty()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cbpf:1,6 0 0 0", "cbpf:4,40 0 0 12,21 1 0 2048,6 0 0 0,6 0 0 0", "len > 65535"})
    void aFilterThatMatchesNothingStillCountsAndKeepsTheVerdict(String expression) throws Exception {
        // libpcap refuses expressions that reject everything; the compiler proves these never match
        CaptureFilter filter = expression.startsWith("cbpf:")
                ? CaptureFilter.bytecode(expression.substring(5))
                : CaptureFilter.expression(expression);
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique);
                CaptureSession session = CaptureSession.start(
                        CaptureSession.Spec.of(plane.hookPath, EnumSet.of(XdpAction.DROP, XdpAction.PASS), filter))) {
            Random random = new Random(expression.hashCode());
            for (int i = 0; i < 20; i++) {
                byte[] frame = Frames.random(random);
                int expected = Libpcap.offlineFilter(Libpcap.compile(DROP_RULE), frame, frame.length)
                        ? XdpAction.DROP.code()
                        : XdpAction.PASS.code();
                assertThat(plane.program.testRun(TestRun.of(frame)).returnValue())
                        .isEqualTo(expected);
            }
            assertThat(session.poll(Duration.ofMillis(200), r -> {})).isZero();
            assertThat(session.stats().stream().mapToLong(ActionStats::received).sum())
                    .isEqualTo(20);
            assertThat(session.stats()).allSatisfy(s -> assertThat(s.matched()).isZero());
        }
    }

    @Test
    void truncatesToTheSnapLengthAndKeepsTheOriginalLength() throws Exception {
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique);
                CaptureSession session = CaptureSession.start(new CaptureSession.Spec(
                        plane.hookPath, Set.of(XdpAction.PASS), CaptureFilter.ALL, 40, 1 << 16))) {
            byte[] frame = Frames.ipv4(Frames.UDP, 5000, 10, new byte[500]);
            plane.program.testRun(TestRun.of(frame));
            List<CaptureRecord> records = new ArrayList<>();
            session.poll(Duration.ofSeconds(1), records::add);
            assertThat(records).hasSize(1);
            assertThat(records.getFirst().data()).isEqualTo(Arrays.copyOf(frame, 40));
            assertThat(records.getFirst().originalLength()).isEqualTo(frame.length);
        }
    }

    @Test
    void aFullRingBufferCountsLossesAndKeepsTheVerdicts() throws Exception {
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique);
                CaptureSession session = CaptureSession.start(new CaptureSession.Spec(
                        plane.hookPath, Set.of(XdpAction.DROP), CaptureFilter.ALL, 2048, 4096))) {
            for (int i = 0; i < 40; i++) {
                byte[] frame = Frames.ipv4(Frames.UDP, 5000 + i, 9, new byte[400]);
                assertThat(plane.program.testRun(TestRun.of(frame)).returnValue())
                        .isEqualTo(XdpAction.DROP.code());
            }
            List<CaptureRecord> records = new ArrayList<>();
            while (session.poll(Duration.ofMillis(200), records::add) > 0) {
                // read what fitted
            }
            ActionStats stats = session.stats().getFirst();
            assertThat(records).isNotEmpty();
            assertThat(stats.lost())
                    .as("a 4 KiB ring holds only a few 470-byte records")
                    .isPositive();
            assertThat(stats.received()).isEqualTo(40);
            assertThat(stats.matched()).isEqualTo(40);
            assertThat(records.size() + stats.lost()).isEqualTo(40);
            for (int i = 0; i < records.size(); i++) {
                assertThat(records.get(i).data())
                        .as("record %d is the %dth packet", i, i)
                        .isEqualTo(Frames.ipv4(Frames.UDP, 5000 + i, 9, new byte[400]));
            }
        }
    }

    @Test
    void aTakenSlotFailsNamingItsHolderAndLeavesTheHookAsItWas() throws Exception {
        try (TestDataPlane plane = TestDataPlane.create(DROP_RULE, unique);
                CaptureSession first = CaptureSession.start(
                        CaptureSession.Spec.of(plane.hookPath, Set.of(XdpAction.PASS), CaptureFilter.ALL))) {
            int holder = first.program(XdpAction.PASS).info().id();
            assertThatThrownBy(() -> CaptureSession.start(CaptureSession.Spec.of(
                            plane.hookPath, EnumSet.of(XdpAction.DROP, XdpAction.PASS), CaptureFilter.ALL)))
                    .isInstanceOf(CaptureException.class)
                    .hasMessageContaining("pass slot")
                    .hasMessageContaining("xdpcap_pass")
                    .hasMessageContaining("id " + holder);
            try (CaptureHook hook = CaptureHook.open(plane.hookPath)) {
                assertThat(hook.occupant(XdpAction.DROP))
                        .as("the failed capture's drop program")
                        .isEmpty();
                assertThat(hook.occupant(XdpAction.PASS)).contains(holder);
            }
        }
    }

    @Test
    void aMissingHookSaysToAttachTheDataPlane() {
        assertThatThrownBy(() -> CaptureSession.start(CaptureSession.Spec.of(
                        CaptureHook.defaultPath("lv" + unique, unique), Set.of(XdpAction.DROP), CaptureFilter.ALL)))
                .isInstanceOf(CaptureException.class)
                .hasMessageContaining("no xdpcap hook at /sys/fs/bpf/levee/" + unique + "/lv" + unique + "/xdpcap_hook")
                .hasMessageContaining("attach the data plane first");
    }
}

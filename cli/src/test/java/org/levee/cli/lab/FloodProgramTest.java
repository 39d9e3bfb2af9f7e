package org.levee.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.cli.lab.FrameField.RandomLabel;
import org.levee.cli.lab.FrameField.RandomNumber;
import org.levee.cli.lab.FrameField.RandomSource;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.TestRunResult;
import org.levee.ebpf.testing.Requirements;

/**
 * The generator program of every flood kind, run by the kernel on its template (one run at a
 * time, no live frames): every output frame has valid checksums, keeps the template outside its
 * random fields, and its random fields stay in range and actually vary.
 */
class FloodProgramTest {
    private static final int RUNS = 300;

    @ParameterizedTest
    @EnumSource(FloodKind.class)
    void everyFrameHasValidChecksumsAndRandomFieldsInRange(FloodKind kind) throws Exception {
        Requirements.root();
        FloodPath path = LabFixtures.path();
        FrameRecipe recipe = FloodFrames.recipe(kind, path);
        byte[] template = recipe.template();
        List<byte[]> frames = new ArrayList<>();
        try (BpfMap sent = BpfMap.create(MapSpec.perCpuArray("flood_sent", 8, 1));
             Program program = Program.load(ProgramSpec.xdp("flood_test", FloodProgram.assemble(recipe, sent.fd())))) {
            for (int i = 0; i < RUNS; i++) {
                TestRunResult r = program.testRun(TestRun.of(template));
                assertThat(r.returnValue()).as("XDP action").isEqualTo(FloodProgram.XDP_TX);
                frames.add(r.dataOut());
            }
            assertThat(Arrays.stream(sent.perCpuLongs(0)).sum()).as("frames counted as sent").isEqualTo(RUNS);
            TestRunResult shortFrame = program.testRun(TestRun.of(Arrays.copyOf(template, template.length - 1)));
            assertThat(shortFrame.returnValue()).as("action on a frame shorter than the template").isEqualTo(FloodProgram.XDP_ABORTED);
            assertThat(Arrays.stream(sent.perCpuLongs(0)).sum()).as("a short frame is not counted").isEqualTo(RUNS);
        }
        Set<Integer> randomBytes = new HashSet<>();
        for (FrameField f : recipe.fields()) {
            for (int b = f.offset(); b < f.offset() + f.length(); b++) {
                randomBytes.add(b);
            }
        }
        for (byte[] frame : frames) {
            assertThat(frame).hasSameSizeAs(template);
            assertThat(Checksums.ipHeaderValid(frame)).as("IPv4 header checksum of %s", kind).isTrue();
            assertThat(Checksums.l4Valid(frame)).as("TCP/UDP checksum of %s", kind).isTrue();
            int ipChecksum = Checksums.IP_OFFSET + 10;
            int l4Checksum = recipe.l4ChecksumOffset();
            for (int b = 0; b < frame.length; b++) {
                if (!randomBytes.contains(b) && b != ipChecksum && b != ipChecksum + 1 && b != l4Checksum && b != l4Checksum + 1) {
                    assertThat(frame[b]).as("%s byte %d outside the random fields", kind, b).isEqualTo(template[b]);
                }
            }
            for (FrameField f : recipe.fields()) {
                checkInRange(kind, f, frame, path);
            }
        }
        for (FrameField f : recipe.fields()) {
            Set<Long> values = new HashSet<>();
            frames.forEach(frame -> values.add(value(frame, f.offset(), Math.min(f.length(), 8))));
            assertThat(values.size()).as("distinct values of %s field %s in %d frames", kind, f, RUNS)
                    .isGreaterThan(f instanceof RandomNumber n && n.span() < 100 ? (int) n.span() / 2 : RUNS * 9 / 10);
        }
    }

    private static void checkInRange(FloodKind kind, FrameField f, byte[] frame, FloodPath path) throws Exception {
        switch (f) {
            case RandomNumber n -> assertThat(value(frame, n.offset(), n.length()))
                    .as("%s %s", kind, n).isBetween(n.min(), n.max());
            case RandomSource s -> {
                byte[] a = java.util.Arrays.copyOfRange(frame, s.offset(), s.offset() + 4);
                Inet4Address source = (Inet4Address) InetAddress.getByAddress(a);
                int first = a[0] & 0xff;
                assertThat(first).as("first byte of source %s", source).isBetween(1, 223).isNotEqualTo(127);
                for (Subnet24 spared : path.spared()) {
                    assertThat(spared.contains(source)).as("%s in spared %s", source, spared).isFalse();
                }
            }
            case RandomLabel l -> {
                for (int b = l.offset(); b < l.offset() + l.length(); b++) {
                    char c = (char) (frame[b] & 0xff);
                    assertThat(Character.isLowerCase(c) || Character.isDigit(c)).as("label character '%s'", c).isTrue();
                }
            }
        }
    }

    private static long value(byte[] frame, int offset, int length) {
        long v = 0;
        for (int i = 0; i < length; i++) {
            v = v << 8 | (frame[offset + i] & 0xff);
        }
        return v;
    }
}

package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.TestRunResult;
import org.levee.testing.Requirements;

/**
 * The generator program of every flood kind, run by the kernel on its template (one run at a
 * time, no live frames): every output frame has valid checksums, keeps the template outside its
 * random fields, and its random fields stay in range and actually vary.
 */
@Tag("kernel")
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
                Program program =
                        Program.load(ProgramSpec.xdp("flood_test", FloodProgram.assemble(recipe, sent.fd())))) {
            for (int i = 0; i < RUNS; i++) {
                TestRunResult r = program.testRun(TestRun.of(template));
                assertThat(r.returnValue()).as("XDP action").isEqualTo(FloodProgram.XDP_TX);
                frames.add(r.dataOut());
            }
            assertThat(Arrays.stream(sent.perCpuLongs(0)).sum())
                    .as("frames counted as sent")
                    .isEqualTo(RUNS);
            TestRunResult shortFrame = program.testRun(TestRun.of(Arrays.copyOf(template, template.length - 1)));
            assertThat(shortFrame.returnValue())
                    .as("action on a frame shorter than the template")
                    .isEqualTo(FloodProgram.XDP_ABORTED);
            assertThat(Arrays.stream(sent.perCpuLongs(0)).sum())
                    .as("a short frame is not counted")
                    .isEqualTo(RUNS);
        }
        FloodFrameAssert.randomFieldsAsSpecified(recipe, path, frames);
    }
}

package org.levee.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each JMH benchmark runs with tiny settings and scores: they cannot rot unnoticed. The figures
 * themselves come from {@code levee bench detector|sflow} with the defaults (docs/benchmarks.md).
 */
class MicrobenchmarkTest {
    /** In this JVM, no warm-up, one iteration of 200 ms. */
    private static final Microbenchmark.Settings TINY = new Microbenchmark.Settings(
            0, 0, Duration.ZERO, 1, Duration.ofMillis(200), Microbenchmark.DEFAULT_JVM_ARGS, false, null);

    @Test
    void detectorScoresSteadyAndFloods() {
        List<Microbenchmark.Score> scores = Microbenchmark.run(
                DetectorBenchmark.class, TINY, Map.of("destinations", List.of("1000"), "floods", List.of("0", "5")));

        assertThat(scores).hasSize(2);
        assertThat(scores).extracting(s -> s.params().get("floods")).containsExactly("0", "5");
        assertThat(scores).allSatisfy(s -> assertThat(s.score()).isPositive());
    }

    @Test
    void detectorSetUpMakesOneDropRulePerFloodAndNoneForSteadyTraffic() {
        DetectorBenchmark floods = new DetectorBenchmark();
        floods.destinations = 1000;
        floods.floods = 5;
        floods.setUp();
        DetectorBenchmark steady = new DetectorBenchmark();
        steady.destinations = 1000;
        steady.floods = 0;
        steady.setUp();

        assertThat(floods.detector().rules()).hasSize(5);
        assertThat(steady.detector().rules()).isEmpty();
        assertThat(steady.detector().trackedDestinations()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void detectorRefusesMoreDestinationsThanTheRangeHolds() {
        DetectorBenchmark benchmark = new DetectorBenchmark();
        benchmark.destinations = 200_000;
        assertThatThrownBy(benchmark::setUp).hasMessageContaining("destinations 200000 must be within 1..130048");
    }

    @Test
    void sflowScoresBothPathsInAForkedJvm() {
        Microbenchmark.Settings forked = new Microbenchmark.Settings(
                1, 0, Duration.ZERO, 1, Duration.ofMillis(200), Microbenchmark.DEFAULT_JVM_ARGS, true, null);

        List<Microbenchmark.Score> scores = Microbenchmark.run(SflowDecodeBenchmark.class, forked, Map.of());

        assertThat(scores).extracting(s -> s.params().get("path")).containsExactly("collector", "records");
        assertThat(scores).allSatisfy(s -> {
            assertThat(s.score()).isPositive();
            assertThat(s.bytesPerOperation()).isNotNaN();
        });
    }

    @Test
    void sflowCollectorPathDecodesSevenSamplesPerDatagram() throws Exception {
        SflowDecodeBenchmark benchmark = new SflowDecodeBenchmark();
        benchmark.path = "collector";
        benchmark.setUp();
        for (int i = 0; i < 1000; i++) {
            benchmark.decode();
        }
        assertThat(benchmark.collectorSamples()).isEqualTo(1000L * SflowDecodeBenchmark.SAMPLES_PER_DATAGRAM);
    }

    @Test
    void sflowRefusesAnUnknownPath() {
        SflowDecodeBenchmark benchmark = new SflowDecodeBenchmark();
        benchmark.path = "copy";
        assertThatThrownBy(benchmark::setUp).hasMessage("path 'copy': expected collector or records");
    }

    @Test
    void settingsRefuseNoMeasuredIteration() {
        assertThatThrownBy(() -> new Microbenchmark.Settings(
                        1, 0, Duration.ZERO, 0, Duration.ofSeconds(1), List.of(), false, null))
                .hasMessageContaining("measured iterations 0 at least 1");
    }
}

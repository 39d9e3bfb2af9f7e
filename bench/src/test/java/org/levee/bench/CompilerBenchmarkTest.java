package org.levee.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.compiler.ReferenceFilters;
import org.levee.testing.Requirements;

/** {@code levee bench compiler} with tiny settings: every reference filter loads, runs and is timed. */
@Tag("kernel")
class CompilerBenchmarkTest {
    @Test
    void measuresEveryReferenceFilterWithinTheSizeContract() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        List<CompilerBenchmark.Row> reported = new ArrayList<>();

        List<CompilerBenchmark.Row> rows =
                CompilerBenchmark.run(new CompilerBenchmark.Options(100, 1, 3), reported::add);

        assertThat(reported).isEqualTo(rows);
        assertThat(rows).extracting(CompilerBenchmark.Row::filter).containsExactlyElementsOf(ReferenceFilters.ALL);
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.floorNs()).isPositive();
            assertThat(row.filterNs()).isPositive();
            assertThat(row.jitedBytes()).isPositive();
            assertThat(row.fragmentInsns()).isLessThanOrEqualTo(row.filter().cbpfcInsns());
        });
        assertThat(rows.stream().mapToInt(CompilerBenchmark.Row::fragmentInsns).sum())
                .isLessThanOrEqualTo(ReferenceFilters.OUR_LIMIT);
    }
}

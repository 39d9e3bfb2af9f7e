package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.rules.RuleFilters;
import org.levee.testing.Requirements;

@Tag("kernel")
class WarmUpTest {

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void theWarmUpSetCoversEnabledAndDisabledRulesOfEveryActionAndBothFamilies() {
        var set = WarmUp.ruleSet();
        RuleSetObject object = RuleSetObject.compile(set, new RuleFilters().compile("test", set), new ProgramBuilder());
        var constants = object.constants("warm-up-here", Instant.now());

        assertThat(constants.values()).containsExactly(1L, 0L, 1L);
        assertThat(set.rules()).extracting(r -> r.action().keyword()).contains("drop", "ratelimit");
        assertThat(set.rules())
                .extracting(r -> r.destinations().getFirst().toString())
                .anyMatch(p -> p.contains(":"));
    }

    @Test
    void loadingTheWarmUpSetLeavesNoMapProgramOrDescriptorBehind() throws IOException {
        WarmUp.compileAndLoad(); // the first run loads classes that keep descriptors (libpcap, jars)
        long before = openDescriptors();

        for (int i = 0; i < 5; i++) {
            assertThat(WarmUp.compileAndLoad()).isPositive();
        }

        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void theBackgroundWarmUpEnds() throws InterruptedException {
        Thread t = WarmUp.inBackground(true);
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(t.isDaemon()).isTrue();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}

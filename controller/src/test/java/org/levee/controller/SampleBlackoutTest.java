package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.controller.testing.Edge;
import org.levee.controller.testing.Fleet;
import org.levee.detector.DetectorConfig;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * The samples of a flood stop reaching the controller (the sFlow path broke) while the edges' own
 * counters, reported through etcd, show the rule still dropping the flood: the rule is not
 * retired. Once the edges' counters show the flood over too, it is.
 */
class SampleBlackoutTest {
    static final IpAddress VICTIM = IpAddress.parse("203.0.113.20");
    static final String DC = "ams1";
    static final String NODE = "edge-1";
    static final String AGENT = "192.0.2.1";
    static final Duration COOLDOWN = Duration.ofSeconds(3);

    Fleet fleet;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
        fleet.register(DC, NODE, AGENT);
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private List<StoredRule> autoRules() {
        return fleet.rules().stream()
                .filter(r -> r.rule().origin() == Origin.AUTO)
                .toList();
    }

    @Test
    void aRuleTheEdgesStillCountIsKeptWhenItsSamplesStopAndRetiredWhenTheCountersStopToo() throws Exception {
        Controller controller = fleet.start(
                Fleet.config("ctl-a").withDetector(DetectorConfig.defaults().withCooldown(COOLDOWN)));
        Eventually.await(Duration.ofSeconds(10), "ctl-a leads", controller::isLeader);
        Edge edge = fleet.edge(AGENT);
        SplittableRandom random = new SplittableRandom(5);
        Edge.Flow syn = new Edge.Flow("syn", Traffic.synFlood(VICTIM), 40_000, 100);
        // The flood, sampled, until the controller writes its rule.
        Eventually.await(Duration.ofSeconds(15), () -> "the flood's rule: " + fleet.rules(), () -> {
            edge.play(List.of(syn), Duration.ofMillis(250), random);
            return !autoRules().isEmpty();
        });
        String id = autoRules().getFirst().id();

        // The samples stop; the edge goes on counting 40 kpps for the rule, reported every 500 ms.
        long packets = 0;
        long until = System.nanoTime() + 3 * COOLDOWN.toNanos();
        while (System.nanoTime() < until) {
            packets += 20_000;
            fleet.report(DC, NODE, AGENT, Map.of(id, packets));
            Thread.sleep(500);
        }
        assertThat(autoRules())
                .extracting(StoredRule::id)
                .as("kept through %d cool-downs without samples", 3)
                .containsExactly(id);
        assertThat(heldRetirements(controller)).isPositive();

        // The edge's counter stops growing: the flood is over by both accounts.
        long stoppedAt = System.nanoTime();
        long total = packets;
        Eventually.await(Duration.ofSeconds(3 * COOLDOWN.toSeconds() + 5), () -> "retired: " + fleet.rules(), () -> {
            fleet.report(DC, NODE, AGENT, Map.of(id, total));
            sleep(500);
            return autoRules().isEmpty();
        });
        System.out.printf(
                "SampleBlackoutTest: %d retirements held; retired %d ms after the edge's counter stopped%n",
                heldRetirements(controller), (System.nanoTime() - stoppedAt) / 1_000_000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long heldRetirements(Controller c) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            c.metrics().write(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String line : out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("levee_controller_retirements_held_total ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no levee_controller_retirements_held_total in the metrics");
    }
}

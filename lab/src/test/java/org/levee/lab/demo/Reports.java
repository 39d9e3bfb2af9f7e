package org.levee.lab.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.FloodKind;

/** Whole demo reports made up for tests: random outcomes and a timeline consistent with them. */
final class Reports {
    private Reports() {}

    static DemoReport random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<AttackOutcome> attacks = new ArrayList<>();
        double t = 3;
        for (FloodKind kind : FloodKind.values()) {
            AttackOutcome a = r.nextInt(6) == 0 ? Outcomes.unmitigated(kind, t, 6) : Outcomes.random(r, kind, t);
            attacks.add(a);
            t = a.stoppedSeconds() + 9;
        }
        int seconds = (int) Math.ceil(t);
        List<Second> timeline = new ArrayList<>();
        for (int second = 1; second <= seconds; second++) {
            int s = second;
            double middle = s - 0.5;
            AttackOutcome running = attacks.stream()
                    .filter(a -> middle >= a.startedSeconds() && middle < a.stoppedSeconds())
                    .findFirst()
                    .orElse(null);
            List<String> rules = attacks.stream()
                    .filter(a -> a.mitigatedSeconds().isPresent()
                            && s >= a.mitigatedSeconds().getAsDouble()
                            && (a.retiredSeconds().isEmpty()
                                    || s < a.retiredSeconds().getAsDouble()))
                    .map(a -> a.rule().orElseThrow().id())
                    .toList();
            long offered = running == null ? 0 : 900_000 + r.nextLong(200_000);
            long sent = 2000 + r.nextInt(100);
            long delivered = sent - (running != null && rules.isEmpty() ? r.nextInt(300) : 0);
            timeline.add(new Second(
                    s,
                    running == null ? "" : running.name(),
                    sent,
                    delivered,
                    offered,
                    offered * 9 / 10 + sent,
                    rules.isEmpty() ? 0 : offered * 9 / 10,
                    sent,
                    40,
                    0,
                    40,
                    rules));
        }
        long sent = timeline.stream().mapToLong(Second::legitSent).sum();
        long delivered = timeline.stream().mapToLong(Second::legitDelivered).sum();
        LegitSummary legit = new LegitSummary(
                new DeliveryCounts(sent, delivered, delivered),
                new DeliveryCounts(sent - 1000, sent - 1000 - r.nextInt(3), sent - 1000 - 3));
        List<String> leftover = r.nextInt(4) == 0 ? List.of("auto-left-1") : List.of();
        DemoSettings settings = new DemoSettings(
                Instant.parse("2026-11-25T15:00:00Z"),
                seconds,
                1_000_000,
                "socket",
                "AF_XDP",
                2050,
                Duration.ofSeconds(5),
                "Linux 6.18.0, 2 CPUs",
                List.of("the cool-down is <short> & sweet"));
        return new DemoReport(settings, legit, attacks, timeline, Targets.evaluate(attacks, legit, leftover), leftover);
    }
}

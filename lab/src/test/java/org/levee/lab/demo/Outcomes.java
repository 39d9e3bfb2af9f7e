package org.levee.lab.demo;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.FloodKind;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;

/** Attack outcomes made up for tests. */
final class Outcomes {
    private Outcomes() {}

    static Rule rule(String id, String comment) {
        return new Rule(
                id,
                Match.Cbpf.parse("4,40 0 0 12,21 0 1 2048,6 0 0 65535,6 0 0 0"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                comment,
                Origin.AUTO);
    }

    static AttackEvidence evidence(String fingerprint) {
        return new AttackEvidence(
                "203.0.113.10/32",
                "udp",
                "threshold",
                51_000,
                5.6e8,
                50_000L,
                1_000_000_000L,
                0,
                fingerprint,
                1.0,
                0.0,
                64,
                List.of("ip_id=7: spread"),
                new TreeMap<>(java.util.Map.of("local", 64L)),
                "dropping: the fingerprint covers the attack and spares normal traffic");
    }

    /**
     * A mitigated attack: started at {@code start}, mitigated {@code timeToMitigate} later, run for
     * {@code duration}, retired {@code retireAfter} after it stopped, with {@code dropped} of the
     * packets reaching the edge after mitigation dropped and {@code passed} let through.
     */
    static AttackOutcome mitigated(
            FloodKind kind,
            double start,
            double timeToMitigate,
            double duration,
            double retireAfter,
            long dropped,
            long passed) {
        AttackPlan plan = new AttackPlan(kind, start, duration, 1_000_000);
        double stop = start + duration;
        return new AttackOutcome(
                plan,
                start,
                stop,
                OptionalDouble.of(start + timeToMitigate / 2),
                OptionalDouble.of(start + timeToMitigate),
                OptionalDouble.of(stop + retireAfter),
                dropped + passed + 1000,
                dropped + passed,
                dropped,
                passed,
                new DeliveryCounts(100, 97, 97),
                Optional.of(evidence("IPv4 UDP source_port=53")),
                List.of(rule("auto-t1-" + kind.ordinal(), kind.description() + " on <203.0.113.10> & co")));
    }

    /** An attack the detector never mitigated. */
    static AttackOutcome unmitigated(FloodKind kind, double start, double duration) {
        AttackPlan plan = new AttackPlan(kind, start, duration, 1_000_000);
        return new AttackOutcome(
                plan,
                start,
                start + duration,
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                5_000_000,
                0,
                0,
                0,
                new DeliveryCounts(100, 40, 40),
                Optional.empty(),
                List.of());
    }

    /** A random mitigated outcome of {@code kind}. */
    static AttackOutcome random(SplittableRandom r, FloodKind kind, double start) {
        return mitigated(
                kind,
                start,
                r.nextDouble() * 3,
                5 + r.nextDouble() * 10,
                r.nextDouble() * 10 - 1,
                r.nextLong(10_000_000),
                r.nextLong(200_000));
    }
}

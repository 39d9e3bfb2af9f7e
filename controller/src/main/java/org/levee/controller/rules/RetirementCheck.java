package org.levee.controller.rules;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.levee.controller.detect.DetectionEngine;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.rules.AttackEvidence;

/**
 * Holds back the retirement of an automatic rule that the edges' own counters contradict.
 *
 * <p>The detector retires a rule when the samples it matches stay below the end level for the
 * cool-down. Samples come by sFlow, over UDP: if they stop reaching this controller (a firewall
 * change, a saturated link, a collector address the edges no longer send to), every rule would
 * look quiet and be retired one cool-down later, in the middle of the attack. The edges count
 * each rule's packets themselves and report the counters through etcd, a different path
 * ({@link CountedRuleRates}). A retirement is carried out only if those counters, over reports made
 * during the cool-down, do not show the rule still matching at the end level or more; otherwise
 * the rule is adopted back ({@link Detector#adopt}), logged, counted, and checked again one
 * cool-down later. Where no edge reported twice during the cool-down (a cool-down shorter than
 * the edges' report interval), the samples alone decide, as before.
 *
 * <p>Runs on the controller's store thread.
 */
public final class RetirementCheck {
    private static final System.Logger LOG = System.getLogger(RetirementCheck.class.getName());

    private final CountedRuleRates rates;
    private final DetectionEngine engine;
    private final double endFraction;
    private final Duration cooldown;
    private final AtomicLong held = new AtomicLong();

    /**
     * @param endFraction the detector's end level as a fraction of the level that started an attack
     * @param cooldown the detector's cool-down
     */
    public RetirementCheck(CountedRuleRates rates, DetectionEngine engine, double endFraction, Duration cooldown) {
        this.rates = rates;
        this.engine = engine;
        this.endFraction = endFraction;
        this.cooldown = cooldown;
    }

    /**
     * {@code decisions} without the retirements the edges contradict; those rules are the
     * detector's again.
     *
     * @param evidence the evidence a rule was stored with (to adopt it back under), by rule id
     */
    public List<Decision> check(List<Decision> decisions, Function<String, Optional<AttackEvidence>> evidence) {
        List<Decision> kept = new ArrayList<>(decisions.size());
        for (Decision d : decisions) {
            if (d.kind() != Decision.Kind.RULE_RETIRED || !contradicted(d, evidence)) {
                kept.add(d);
            }
        }
        return kept;
    }

    /** Retirements held back so far. */
    public long held() {
        return held.get();
    }

    private boolean contradicted(Decision d, Function<String, Optional<AttackEvidence>> evidence) {
        String id = d.rule().id();
        OptionalDouble edges = rates.packetsPerSecond(id, d.timeNanos() - cooldown.toNanos());
        double level = endFraction * d.evidence().triggerPacketsPerSecond();
        if (edges.isEmpty() || edges.getAsDouble() < level) {
            return false;
        }
        AttackEvidence stored = evidence.apply(id).orElse(d.attackEvidence());
        Detector.Adoption adoption = engine.adopt(d.rule(), stored);
        if (adoption.outcome() == Detector.Adoption.Outcome.REFUSED) {
            LOG.log(
                    Level.WARNING,
                    "rule {0}: the edges still count {1} pps for it, but it cannot be kept: {2}",
                    id,
                    pps(edges.getAsDouble()),
                    adoption.reason());
            return false;
        }
        held.incrementAndGet();
        LOG.log(
                Level.WARNING,
                "kept rule {0}: its samples fell below {1} pps for {2} s, but the edges still count {3} pps for it"
                        + " — are the edges'' samples reaching this controller? (checked again in {2} s)",
                id,
                pps(level),
                String.valueOf(cooldown.toSeconds()),
                pps(edges.getAsDouble()));
        return true;
    }

    private static String pps(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }
}

package org.levee.lab.demo;

import java.util.List;

/**
 * Everything the demo measured: its settings, the legitimate traffic's fate, each attack's
 * outcome, the per-second timeline and the targets.
 */
public record DemoReport(
        DemoSettings settings,
        LegitSummary legit,
        List<AttackOutcome> attacks,
        List<Second> timeline,
        List<TargetResult> targets,
        List<String> leftoverAutoRules) {
    public DemoReport {
        attacks = List.copyOf(attacks);
        timeline = List.copyOf(timeline);
        targets = List.copyOf(targets);
        leftoverAutoRules = List.copyOf(leftoverAutoRules);
    }

    public boolean allTargetsMet() {
        return Targets.allMet(targets);
    }
}

package org.levee.lab.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.OptionalDouble;
import org.levee.agent.rules.AgentJson;
import org.levee.lab.DeliveryCounts;
import org.levee.rules.RuleCodec;

/**
 * {@code report.json}: the shape ({@code legit}, {@code attacks[]} with times in seconds
 * since the demo's start), plus the settings, the targets and the timeline. Rules appear in the
 * fields of rule files and the API; the detector's evidence as the API serves it. A time or share
 * that could not be measured is {@code null}.
 */
public final class ReportJson {
    private ReportJson() {}

    public static String write(DemoReport report) {
        try {
            return AgentJson.MAPPER.writeValueAsString(tree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the demo report as JSON", e);
        }
    }

    public static ObjectNode tree(DemoReport report) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("all_targets_met", report.allTargetsMet());
        root.set("settings", settings(report.settings()));
        root.set("legit", legit(report.legit()));
        ArrayNode attacks = root.putArray("attacks");
        report.attacks().forEach(a -> attacks.add(attack(a)));
        ArrayNode targets = root.putArray("targets");
        for (TargetResult t : report.targets()) {
            ObjectNode n = targets.addObject();
            n.put("name", t.name());
            n.put("description", t.description());
            put(n, "measured", t.measured());
            n.put("comparison", t.comparison());
            n.put("limit", t.limit());
            n.put("met", t.met());
        }
        ArrayNode leftover = root.putArray("leftover_auto_rules");
        report.leftoverAutoRules().forEach(leftover::add);
        ArrayNode timeline = root.putArray("timeline");
        for (Second s : report.timeline()) {
            ObjectNode n = timeline.addObject();
            n.put("t", s.second());
            n.put("attack", s.attack());
            n.put("legit_sent", s.legitSent());
            n.put("legit_delivered", s.legitDelivered());
            n.put("attack_offered", s.attackOffered());
            n.put("edge_seen", s.edgeSeen());
            n.put("dropped", s.dropped());
            n.put("passed", s.passed());
            n.put("sampled", s.sampled());
            n.put("samples_lost", s.samplesLost());
            n.put("samples_read", s.samplesRead());
            ArrayNode rules = n.putArray("rules");
            s.rules().forEach(rules::add);
        }
        return root;
    }

    private static ObjectNode settings(DemoSettings s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("started", s.started().toString());
        n.put("duration_s", s.durationSeconds());
        n.put("attack_pps", s.attackPacketsPerSecond());
        n.put("generator", s.generator());
        n.put("generator_description", s.generatorDescription());
        n.put("legit_rps", s.legitRequestsPerSecond());
        n.put("cooldown_s", s.cooldown().toMillis() / 1000.0);
        n.put("machine", s.machine());
        ArrayNode notes = n.putArray("notes");
        s.notes().forEach(notes::add);
        return n;
    }

    private static ObjectNode legit(LegitSummary legit) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        DeliveryCounts total = legit.total();
        n.put("sent", total.sent());
        n.put("delivered", total.delivered());
        n.put("answered", total.answered());
        n.put("lost_pct", legit.lostPct());
        n.put("sent_outside_detection", legit.outsideDetection().sent());
        n.put("lost_outside_detection", legit.outsideDetection().lost());
        n.put("lost_pct_outside_detection", legit.lostPctOutsideDetection());
        return n;
    }

    private static ObjectNode attack(AttackOutcome a) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", a.name());
        n.put("description", a.plan().kind().description());
        n.put("planned_pps", a.plan().packetsPerSecond());
        n.put("started_s", a.startedSeconds());
        n.put("stopped_s", a.stoppedSeconds());
        put(n, "detected_s", a.detectedSeconds());
        put(n, "mitigated_s", a.mitigatedSeconds());
        put(n, "time_to_mitigate_s", a.timeToMitigate());
        n.put("sent", a.sent());
        n.put("reached_pps", Math.round(a.reachedPps()));
        n.put("offered_after_mitigation", a.offeredAfterMitigation());
        n.put("dropped_after_mitigation", a.droppedAfterMitigation());
        n.put("passed_after_mitigation", a.passedAfterMitigation());
        put(n, "dropped_pct_after_mitigation", a.droppedPctAfterMitigation());
        put(n, "retired_s", a.retiredSeconds());
        n.put("legit_sent_during_detection", a.legitDuringDetection().sent());
        n.put("legit_lost_during_detection", a.legitDuringDetection().lost());
        if (a.evidence().isPresent()) {
            n.set("detector", AgentJson.MAPPER.valueToTree(a.evidence().get()));
        } else {
            n.putNull("detector");
        }
        if (a.rule().isPresent()) {
            n.set("rule", RuleCodec.writeRule(a.rule().get()));
        } else {
            n.putNull("rule");
        }
        ArrayNode rules = n.putArray("rules");
        a.rules().forEach(r -> rules.add(RuleCodec.writeRule(r)));
        return n;
    }

    private static void put(ObjectNode n, String field, OptionalDouble value) {
        if (value.isPresent()) {
            n.put(field, value.getAsDouble());
        } else {
            n.putNull(field);
        }
    }
}

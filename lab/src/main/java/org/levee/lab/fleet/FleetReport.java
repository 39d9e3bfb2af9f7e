package org.levee.lab.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LegitTraffic;
import org.levee.lab.demo.LegitSummary;
import org.levee.lab.fleet.FleetDemo.Poll;
import org.levee.lab.fleet.FleetDemo.RuleView;
import org.levee.lab.fleet.FleetLab.Edge;
import org.levee.lab.fleet.FleetSchedule.Attack;

/**
 * What {@code levee demo --fleet} measured, and its targets. Times are seconds since the fleet was
 * up and the schedule began; a value that could not be measured is {@code null} in JSON.
 *
 * <p>How each figure is taken: the demo polls every 50 ms one live controller's {@code /fleet}
 * (leader, manifest version and {@code compiled_at}, each edge's version and {@code applied_at})
 * and every edge's pins (each rule: enabled, packets), and the generators' offered counts. An
 * attack's rules are the automatic rules first enabled on an edge while it runs; it is in force
 * on an edge at the first poll that shows one of them enabled there. Drops after mitigation are
 * the rules' packet counters from then on against the frames offered from then on, per data
 * center. Propagation is an edge's {@code applied_at} minus the manifest's {@code compiled_at}:
 * both stamped on this machine's clock, and including the controller's publish.
 */
public record FleetReport(
        Instant started,
        String generator,
        double durationSeconds,
        List<AttackResult> attacks,
        List<Propagation> propagation,
        Map<String, LegitResult> legit,
        List<Fault> faults,
        OptionalDouble failoverSeconds,
        String killedLeader,
        List<Target> targets,
        List<RuleChange> ruleChanges) {

    /** A rule appearing, being enabled or disabled, or going away on one edge, as the polls saw it. */
    public record RuleChange(double at, String node, String rule, String state) {}

    public record Fault(double at, String what) {}

    /**
     * @param inForce per edge that sees the attack, seconds until its rule was in force there
     * @param enabledOn edges where one of its rules was enabled; {@code disabledOn} where it was loaded disabled
     */
    public record AttackResult(
            String name,
            String kind,
            List<String> datacenters,
            double started,
            double stopped,
            long offered,
            List<String> rules,
            Map<String, Double> inForce,
            OptionalDouble timeToMitigate,
            long droppedAfter,
            long offeredAfter,
            OptionalDouble retired,
            Set<String> enabledOn,
            Set<String> disabledOn,
            List<String> gaps) {
        public OptionalDouble droppedPct() {
            return offeredAfter == 0
                    ? OptionalDouble.empty()
                    : OptionalDouble.of(Math.min(100.0, 100.0 * droppedAfter / offeredAfter));
        }
    }

    /** @param catchUp a version compiled while the edge was cut from etcd: it catches up when reconnected */
    public record Propagation(String node, long version, double seconds, boolean catchUp) {}

    public record LegitResult(DeliveryCounts total, DeliveryCounts outsideDetection) {
        public double lostPctOutside() {
            return outsideDetection.sent() == 0 ? 0 : 100.0 * outsideDetection.lost() / outsideDetection.sent();
        }
    }

    public record Target(
            String name, String description, double measured, String comparison, double limit, boolean met) {}

    public boolean allTargetsMet() {
        return targets.stream().allMatch(Target::met);
    }

    static FleetReport compute(
            Instant started,
            long t0,
            Instant wallAtT0,
            FleetSchedule plan,
            List<Poll> polls,
            List<Fault> faults,
            FleetLab lab,
            Map<String, LegitTraffic> legit,
            String killed,
            String cutEdge,
            GeneratorKind generator) {
        List<AttackResult> attacks = new ArrayList<>();
        Map<String, List<double[]>> detection = new LinkedHashMap<>();
        List<Attack> schedule = plan.attacks();
        for (int i = 0; i < schedule.size(); i++) {
            Attack a = schedule.get(i);
            double until = i + 1 < schedule.size() ? schedule.get(i + 1).start() : plan.end();
            attacks.add(attack(a, until, t0, polls, lab, detection));
        }
        List<Propagation> propagation = propagation(polls, wallAtT0, faults, cutEdge);
        Map<String, LegitResult> legitResults = new LinkedHashMap<>();
        for (var e : legit.entrySet()) {
            LegitSummary s = FleetDemo.summary(
                    e.getValue(), FleetDemo.windows(detection.getOrDefault(e.getKey(), List.of()), t0));
            legitResults.put(e.getKey(), new LegitResult(s.total(), s.outsideDetection()));
        }
        OptionalDouble failover = OptionalDouble.empty();
        if (killed != null) {
            for (Poll p : polls) {
                double at = seconds(p.nanos(), t0);
                if (at > plan.killLeader() && p.leader() != null && !p.leader().equals(killed)) {
                    failover = OptionalDouble.of(at - plan.killLeader());
                    break;
                }
            }
        }
        return new FleetReport(
                started,
                generator.id(),
                plan.end(),
                attacks,
                propagation,
                legitResults,
                faults,
                failover,
                killed,
                targets(attacks, propagation, legitResults, failover, polls, lab),
                ruleChanges(polls, t0));
    }

    private static List<RuleChange> ruleChanges(List<Poll> polls, long t0) {
        List<RuleChange> changes = new ArrayList<>();
        Map<String, Map<String, Boolean>> last = new LinkedHashMap<>();
        for (Poll p : polls) {
            double at = seconds(p.nanos(), t0);
            for (var edge : p.edgeRules().entrySet()) {
                Map<String, Boolean> before = last.computeIfAbsent(edge.getKey(), k -> new LinkedHashMap<>());
                Map<String, Boolean> now = new LinkedHashMap<>();
                edge.getValue().forEach((id, r) -> now.put(id, r.enabled()));
                now.forEach((id, enabled) -> {
                    if (!enabled.equals(before.get(id))) {
                        changes.add(new RuleChange(at, edge.getKey(), id, enabled ? "enabled" : "loaded disabled"));
                    }
                });
                before.keySet().stream()
                        .filter(id -> !now.containsKey(id))
                        .forEach(id -> changes.add(new RuleChange(at, edge.getKey(), id, "removed")));
                last.put(edge.getKey(), now);
            }
        }
        return changes;
    }

    private static AttackResult attack(
            Attack a, double until, long t0, List<Poll> polls, FleetLab lab, Map<String, List<double[]>> detection) {
        List<Edge> seeing = lab.edges().stream()
                .filter(e -> a.datacenters().contains(e.datacenter()))
                .toList();
        Set<String> before = new LinkedHashSet<>();
        Set<String> rules = new LinkedHashSet<>();
        for (Poll p : polls) {
            double at = seconds(p.nanos(), t0);
            for (var edge : p.edgeRules().values()) {
                for (var r : edge.entrySet()) {
                    if (!r.getKey().startsWith("auto-") || !r.getValue().enabled()) {
                        continue;
                    }
                    if (at < a.start()) {
                        before.add(r.getKey());
                    } else if (at < until && !before.contains(r.getKey())) {
                        rules.add(r.getKey());
                    }
                }
            }
        }
        Map<String, Double> inForce = new LinkedHashMap<>();
        Set<String> enabledOn = new LinkedHashSet<>();
        Set<String> disabledOn = new LinkedHashSet<>();
        List<String> gaps = new ArrayList<>();
        OptionalDouble retired = OptionalDouble.empty();
        for (Poll p : polls) {
            double at = seconds(p.nanos(), t0);
            if (at < a.start() || at >= until) {
                continue;
            }
            boolean anyEnabled = false;
            for (var edge : p.edgeRules().entrySet()) {
                boolean enabled = edge.getValue().entrySet().stream()
                        .anyMatch(
                                r -> rules.contains(r.getKey()) && r.getValue().enabled());
                boolean loaded = edge.getValue().keySet().stream().anyMatch(rules::contains);
                anyEnabled |= enabled;
                if (enabled) {
                    enabledOn.add(edge.getKey());
                    inForce.putIfAbsent(edge.getKey(), at - a.start());
                } else if (loaded) {
                    disabledOn.add(edge.getKey());
                }
                boolean sees = seeing.stream().anyMatch(e -> e.node().equals(edge.getKey()));
                if (sees && inForce.containsKey(edge.getKey()) && !enabled && at < a.stop()) {
                    gaps.add(String.format(Locale.ROOT, "%s at %.2f s", edge.getKey(), at));
                }
            }
            if (at > a.stop() && !anyEnabled && retired.isEmpty() && !rules.isEmpty()) {
                retired = OptionalDouble.of(at);
            }
        }
        disabledOn.removeAll(enabledOn);
        OptionalDouble ttm = seeing.stream().allMatch(e -> inForce.containsKey(e.node()))
                ? OptionalDouble.of(seeing.stream()
                        .mapToDouble(e -> inForce.get(e.node()))
                        .max()
                        .orElse(0))
                : OptionalDouble.empty();
        long offered = 0;
        long offeredAfter = 0;
        long droppedAfter = 0;
        for (String dc : a.datacenters()) {
            String key = a.name() + "/" + dc;
            List<Edge> dcEdges =
                    seeing.stream().filter(e -> e.datacenter().equals(dc)).toList();
            OptionalDouble mitigated = dcEdges.stream().allMatch(e -> inForce.containsKey(e.node()))
                    ? OptionalDouble.of(a.start()
                            + dcEdges.stream()
                                    .mapToDouble(e -> inForce.get(e.node()))
                                    .max()
                                    .orElse(0))
                    : OptionalDouble.empty();
            long first = offeredAt(polls, key, a.start(), t0);
            long last = offeredAt(polls, key, until, t0);
            offered += last - first;
            double end = mitigated.isPresent() ? mitigated.getAsDouble() : a.stop();
            detection.computeIfAbsent(dc, k -> new ArrayList<>()).add(new double[] {a.start(), Math.min(end, a.stop())
            });
            if (mitigated.isEmpty()) {
                continue;
            }
            offeredAfter += last - offeredAt(polls, key, mitigated.getAsDouble(), t0);
            for (Edge e : dcEdges) {
                droppedAfter += packets(polls, e.node(), rules, until, t0)
                        - packets(polls, e.node(), rules, mitigated.getAsDouble(), t0);
            }
        }
        return new AttackResult(
                a.name(),
                a.kind().description(),
                a.datacenters(),
                a.start(),
                a.stop(),
                offered,
                List.copyOf(rules),
                inForce,
                ttm,
                droppedAfter,
                offeredAfter,
                retired,
                enabledOn,
                disabledOn,
                gaps);
    }

    /** The generator's count at the first poll at or after {@code at} (the last one before, when none is). */
    private static long offeredAt(List<Poll> polls, String key, double at, long t0) {
        long value = 0;
        for (Poll p : polls) {
            Long v = p.offered().get(key);
            if (v != null) {
                value = v;
                if (seconds(p.nanos(), t0) >= at) {
                    break;
                }
            }
        }
        return value;
    }

    /** The largest count of {@code rules} on {@code node} seen up to {@code at} (counters go with a retired rule). */
    private static long packets(List<Poll> polls, String node, Set<String> rules, double at, long t0) {
        Map<String, Long> max = new LinkedHashMap<>();
        for (Poll p : polls) {
            if (seconds(p.nanos(), t0) > at) {
                break;
            }
            Map<String, RuleView> edge = p.edgeRules().get(node);
            if (edge != null) {
                edge.forEach((id, r) -> {
                    if (rules.contains(id)) {
                        max.merge(id, r.packets(), Math::max);
                    }
                });
            }
        }
        return max.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every edge's swap of every version compiled after the schedule began (at {@code wallAtT0}). */
    private static List<Propagation> propagation(
            List<Poll> polls, Instant wallAtT0, List<Fault> faults, String cutEdge) {
        double cut = faults.stream()
                .filter(f -> f.what().contains("cut from etcd"))
                .mapToDouble(Fault::at)
                .findFirst()
                .orElse(-1);
        double heal = faults.stream()
                .filter(f -> f.what().contains("reconnected"))
                .mapToDouble(Fault::at)
                .findFirst()
                .orElse(-1);
        Map<Long, Instant> compiled = new LinkedHashMap<>();
        for (Poll p : polls) {
            if (p.version() >= 0 && p.compiledAt().isPresent()) {
                compiled.putIfAbsent(p.version(), p.compiledAt().get());
            }
        }
        List<Propagation> result = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Poll p : polls) {
            for (var n : p.nodes().entrySet()) {
                long v = n.getValue().version();
                Instant at = compiled.get(v);
                if (at == null
                        || at.isBefore(wallAtT0)
                        || n.getValue().applied().isEmpty()
                        || !seen.add(n.getKey() + "#" + v)) {
                    continue;
                }
                double compiledSeconds = Duration.between(wallAtT0, at).toNanos() / 1e9;
                boolean catchUp =
                        n.getKey().equals(cutEdge) && cut >= 0 && compiledSeconds >= cut - 1 && compiledSeconds <= heal;
                result.add(new Propagation(
                        n.getKey(),
                        v,
                        Duration.between(at, n.getValue().applied().get()).toNanos() / 1e9,
                        catchUp));
            }
        }
        return result;
    }

    private static List<Target> targets(
            List<AttackResult> attacks,
            List<Propagation> propagation,
            Map<String, LegitResult> legit,
            OptionalDouble failover,
            List<Poll> polls,
            FleetLab lab) {
        List<Double> ttm = attacks.stream()
                .map(a -> a.timeToMitigate().orElse(Double.POSITIVE_INFINITY))
                .sorted()
                .toList();
        List<Double> prop = propagation.stream()
                .filter(p -> !p.catchUp())
                .map(Propagation::seconds)
                .sorted()
                .toList();
        double minDropped = attacks.stream()
                .mapToDouble(a -> a.droppedPct().orElse(0))
                .min()
                .orElse(0);
        double worstLegit = legit.values().stream()
                .mapToDouble(LegitResult::lostPctOutside)
                .max()
                .orElse(0);
        AttackResult memcached = attacks.stream()
                .filter(a -> a.datacenters().size() == 1)
                .findFirst()
                .orElse(null);
        boolean onlyThere = memcached != null
                && !memcached.enabledOn().isEmpty()
                && memcached.enabledOn().stream()
                        .allMatch(node -> lab.edges().stream()
                                .anyMatch(e -> e.node().equals(node)
                                        && memcached.datacenters().contains(e.datacenter())))
                && memcached.disabledOn().size()
                        == lab.edges().stream()
                                .filter(e -> !memcached.datacenters().contains(e.datacenter()))
                                .count();
        long gaps = attacks.stream().mapToLong(a -> a.gaps().size()).sum();
        long notRetired = attacks.stream().filter(a -> a.retired().isEmpty()).count();
        Poll last = polls.isEmpty() ? null : polls.getLast();
        long leftover = last == null
                ? 0
                : last.edgeRules().values().stream()
                        .mapToLong(m -> m.entrySet().stream()
                                .filter(r -> r.getKey().startsWith("auto-")
                                        && r.getValue().enabled())
                                .count())
                        .sum();
        return List.of(
                target(
                        "time_to_mitigate_p50_s",
                        "median time from a flood's start until its rule is in force on every edge that sees it",
                        median(ttm),
                        "<=",
                        1.0),
                target(
                        "time_to_mitigate_max_s",
                        "every attack mitigated on every edge that sees it",
                        max(ttm),
                        "<=",
                        2.0),
                target(
                        "propagation_p50_s",
                        "manifest compiled → an edge's swap done, median (an edge's catch-up after a cut not counted)",
                        median(prop),
                        "<=",
                        0.3),
                target("propagation_max_s", "manifest compiled → an edge's swap done, slowest", max(prop), "<=", 1.0),
                target(
                        "dropped_pct_after_mitigation_min",
                        "least share of an attack's frames dropped after mitigation",
                        minDropped,
                        ">=",
                        99.0),
                target(
                        "legit_lost_pct_outside_detection_max",
                        "legitimate loss outside detection windows, worst data center",
                        worstLegit,
                        "<=",
                        0.1),
                target(
                        "one_datacenter_rule_only_there",
                        "the one-data-center rule enabled there and loaded disabled elsewhere (1: yes)",
                        onlyThere ? 1 : 0,
                        ">=",
                        1),
                target(
                        "failover_s",
                        "a new leader after the leader was killed",
                        failover.orElse(Double.POSITIVE_INFINITY),
                        "<=",
                        5.0),
                target(
                        "rules_lost",
                        "polls where an attack's rule was missing on an edge before the attack stopped",
                        gaps,
                        "<=",
                        0),
                target(
                        "auto_rules_not_retired",
                        "attacks whose rules were not retired, plus automatic rules enabled at the end",
                        notRetired + leftover,
                        "<=",
                        0));
    }

    private static Target target(String name, String description, double measured, String comparison, double limit) {
        boolean met = comparison.equals("<=") ? measured <= limit : measured >= limit;
        return new Target(name, description, measured, comparison, limit, met);
    }

    private static double median(List<Double> sorted) {
        return sorted.isEmpty() ? Double.POSITIVE_INFINITY : sorted.get((sorted.size() - 1) / 2);
    }

    private static double max(List<Double> sorted) {
        return sorted.isEmpty() ? Double.POSITIVE_INFINITY : sorted.getLast();
    }

    private static double seconds(long nanos, long t0) {
        return (nanos - t0) / 1e9;
    }

    // ---- files ------------------------------------------------------------------------------

    public static final String JSON_FILE = "report.json";
    public static final String HTML_FILE = "report.html";
    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Writes report.json and report.html into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(json()));
        Files.writeString(dir.resolve(HTML_FILE), html());
    }

    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("all_targets_met", allTargetsMet());
        ObjectNode settings = root.putObject("settings");
        settings.put("started", started.toString());
        settings.put("generator", generator);
        settings.put("duration_s", durationSeconds);
        settings.put("datacenters", "ams (2 edges), fra, sin");
        settings.put("etcd_members", 3);
        settings.put("controllers", 2);
        settings.put("detector_cooldown_s", 5);
        ArrayNode targetsNode = root.putArray("targets");
        for (Target t : targets) {
            ObjectNode n = targetsNode.addObject();
            n.put("name", t.name());
            n.put("description", t.description());
            number(n, "measured", t.measured());
            n.put("comparison", t.comparison());
            n.put("limit", t.limit());
            n.put("met", t.met());
        }
        ArrayNode attacksNode = root.putArray("attacks");
        for (AttackResult a : attacks) {
            ObjectNode n = attacksNode.addObject();
            n.put("name", a.name());
            n.put("description", a.kind());
            ArrayNode dcs = n.putArray("datacenters");
            a.datacenters().forEach(dcs::add);
            n.put("started_s", a.started());
            n.put("stopped_s", a.stopped());
            n.put("offered", a.offered());
            number(n, "time_to_mitigate_s", a.timeToMitigate());
            ObjectNode inForce = n.putObject("in_force_after_s");
            a.inForce().forEach(inForce::put);
            n.put("offered_after_mitigation", a.offeredAfter());
            n.put("dropped_after_mitigation", a.droppedAfter());
            number(n, "dropped_pct_after_mitigation", a.droppedPct());
            number(n, "retired_s", a.retired());
            ArrayNode rules = n.putArray("rules");
            a.rules().forEach(rules::add);
            ArrayNode on = n.putArray("enabled_on");
            a.enabledOn().forEach(on::add);
            ArrayNode off = n.putArray("loaded_disabled_on");
            a.disabledOn().forEach(off::add);
            ArrayNode gaps = n.putArray("gaps");
            a.gaps().forEach(gaps::add);
        }
        ArrayNode prop = root.putArray("propagation");
        for (Propagation p : propagation) {
            ObjectNode n = prop.addObject();
            n.put("node", p.node());
            n.put("version", p.version());
            n.put("seconds", p.seconds());
            n.put("catch_up", p.catchUp());
        }
        ObjectNode legitNode = root.putObject("legit");
        legit.forEach((dc, l) -> {
            ObjectNode n = legitNode.putObject(dc);
            n.put("sent", l.total().sent());
            n.put("lost", l.total().lost());
            n.put("sent_outside_detection", l.outsideDetection().sent());
            n.put("lost_outside_detection", l.outsideDetection().lost());
            n.put("lost_pct_outside_detection", l.lostPctOutside());
        });
        ObjectNode failoverNode = root.putObject("failover");
        failoverNode.put("killed", killedLeader);
        number(failoverNode, "new_leader_after_s", failoverSeconds);
        ArrayNode changes = root.putArray("rule_changes");
        for (RuleChange c : ruleChanges) {
            ObjectNode n = changes.addObject();
            n.put("at_s", c.at());
            n.put("node", c.node());
            n.put("rule", c.rule());
            n.put("state", c.state());
        }
        ArrayNode faultsNode = root.putArray("faults");
        for (Fault fault : faults) {
            ObjectNode n = faultsNode.addObject();
            n.put("at_s", fault.at());
            n.put("what", fault.what());
        }
        return root;
    }

    private static void number(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) {
            n.put(field, value);
        } else {
            n.putNull(field);
        }
    }

    private static void number(ObjectNode n, String field, OptionalDouble value) {
        number(n, field, value.orElse(Double.NaN));
    }

    /** One self-contained page: no scripts, no external assets. */
    public String html() {
        StringBuilder h = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Levee fleet demo</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:sans-serif;margin:2em;color:#222;max-width:1000px}
                table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
                th{background:#f4f4f4}.met{color:#2ca02c;font-weight:bold}.missed{color:#d62728;font-weight:bold}</style></head><body>
                <h1>Levee fleet demo</h1>
                """);
        h.append("<p>Started ")
                .append(esc(started.toString()))
                .append("; data centers ams (2 edges), fra, sin; 3 etcd members;" + " 2 controllers; floods from the ")
                .append(esc(generator))
                .append(" generator.</p>\n");
        h.append("<h2>Targets: ")
                .append(
                        allTargetsMet()
                                ? "<span class=\"met\">all met</span>"
                                : "<span class=\"missed\">not all met</span>")
                .append("</h2>\n<table><tr><th>target</th><th>measured</th><th>limit</th><th></th></tr>\n");
        for (Target t : targets) {
            h.append("<tr><td>")
                    .append(esc(t.description()))
                    .append("</td><td>")
                    .append(num(t.measured()))
                    .append("</td><td>")
                    .append(esc(t.comparison()))
                    .append(' ')
                    .append(num(t.limit()))
                    .append("</td><td>")
                    .append(t.met() ? "<span class=\"met\">met</span>" : "<span class=\"missed\">MISSED</span>")
                    .append("</td></tr>\n");
        }
        h.append(
                "</table>\n<h2>Attacks</h2>\n<table><tr><th>attack</th><th>data centers</th><th>started</th><th>in force on every edge"
                        + " that sees it</th><th>per edge</th><th>dropped after mitigation</th><th>retired</th><th>enabled on / loaded disabled on</th></tr>\n");
        for (AttackResult a : attacks) {
            h.append("<tr><td>")
                    .append(esc(a.name()))
                    .append("<br><small>")
                    .append(esc(a.kind()))
                    .append("</small></td><td>")
                    .append(esc(String.join(", ", a.datacenters())))
                    .append("</td><td>")
                    .append(num(a.started()))
                    .append(" s</td><td>")
                    .append(num(a.timeToMitigate().orElse(Double.NaN)))
                    .append(" s</td><td>");
            a.inForce()
                    .forEach((node, s) ->
                            h.append(esc(node)).append(' ').append(num(s)).append(" s<br>"));
            h.append("</td><td>")
                    .append(num(a.droppedPct().orElse(Double.NaN)))
                    .append(" % (")
                    .append(a.droppedAfter())
                    .append(" of ")
                    .append(a.offeredAfter())
                    .append(")</td><td>")
                    .append(num(a.retired().orElse(Double.NaN)))
                    .append(" s</td><td>")
                    .append(esc(String.join(", ", a.enabledOn())))
                    .append(" / ")
                    .append(esc(String.join(", ", a.disabledOn())))
                    .append("</td></tr>\n");
        }
        h.append(
                "</table>\n<h2>Propagation</h2>\n<table><tr><th>edge</th><th>version</th><th>compiled → swapped</th></tr>\n");
        for (Propagation p : propagation) {
            h.append("<tr><td>")
                    .append(esc(p.node()))
                    .append("</td><td>")
                    .append(p.version())
                    .append("</td><td>")
                    .append(num(p.seconds()))
                    .append(" s")
                    .append(p.catchUp() ? " (catch-up after the cut)" : "")
                    .append("</td></tr>\n");
        }
        h.append(
                "</table>\n<h2>Legitimate traffic per data center</h2>\n<table><tr><th>data center</th><th>sent</th><th>lost</th>"
                        + "<th>lost outside detection windows</th></tr>\n");
        legit.forEach((dc, l) -> h.append("<tr><td>")
                .append(esc(dc))
                .append("</td><td>")
                .append(l.total().sent())
                .append("</td><td>")
                .append(l.total().lost())
                .append("</td><td>")
                .append(l.outsideDetection().lost())
                .append(" of ")
                .append(l.outsideDetection().sent())
                .append(" (")
                .append(num(l.lostPctOutside()))
                .append(" %)</td></tr>\n"));
        h.append("</table>\n<h2>Faults and floods</h2>\n<table><tr><th>at</th><th>what</th></tr>\n");
        for (Fault f : faults) {
            h.append("<tr><td>")
                    .append(num(f.at()))
                    .append(" s</td><td>")
                    .append(esc(f.what()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n<p>New leader ")
                .append(num(failoverSeconds.orElse(Double.NaN)))
                .append(" s after ")
                .append(esc(String.valueOf(killedLeader)))
                .append(" was killed.</p>\n</body></html>\n");
        return h.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "—";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The report of {@code dir}, for tests. */
    public static JsonNode read(Path dir) throws IOException {
        return JSON.readTree(dir.resolve(JSON_FILE).toFile());
    }
}

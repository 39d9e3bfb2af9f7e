package org.levee.lab.demo;

import java.util.Locale;
import java.util.OptionalDouble;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Match;
import org.levee.rules.Rule;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, no external
 * fonts or images, so it opens offline) with the targets, the chart, each attack's detection and
 * rule, and the legitimate traffic's fate.
 */
public final class ReportHtml {
    private ReportHtml() {}

    public static String write(DemoReport report) {
        StringBuilder h = new StringBuilder();
        h.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <title>Levee demo report</title>
                <style>
                body{font-family:sans-serif;margin:2em;color:#222;max-width:1000px}
                table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
                th{background:#f4f4f4}.met{color:#2ca02c;font-weight:bold}.missed{color:#d62728;font-weight:bold}
                code,pre{font-size:90%}pre{background:#f7f7f7;padding:6px;max-height:12em;overflow:auto}
                </style></head><body>
                <h1>Levee demo report</h1>
                """);
        DemoSettings s = report.settings();
        h.append(String.format(
                Locale.ROOT,
                "<p>Started %s on %s; %d s, floods at %,d packets/s each from the %s generator (%s),"
                        + " legitimate requests at %,d/s; detector cool-down %s s.</p>%n",
                esc(s.started().toString()),
                esc(s.machine()),
                s.durationSeconds(),
                s.attackPacketsPerSecond(),
                esc(s.generator()),
                esc(s.generatorDescription()),
                s.legitRequestsPerSecond(),
                num(s.cooldown().toMillis() / 1000.0)));
        if (!s.notes().isEmpty()) {
            h.append("<ul>\n");
            s.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("<h2>Targets: ")
                .append(
                        report.allTargetsMet()
                                ? "<span class=\"met\">all met</span>"
                                : "<span class=\"missed\">not all met</span>")
                .append("</h2>\n<table><tr><th>target</th><th>measured</th><th>limit</th><th></th></tr>\n");
        for (TargetResult t : report.targets()) {
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
        h.append("</table>\n<h2>Traffic over time</h2>\n");
        h.append(TrafficChart.svg(report.timeline(), report.attacks()));
        h.append(
                "<p>Packets per second at the edge (logarithmic). Shaded: a flood is running. Purple bars: a rule in force.</p>\n");

        LegitSummary legit = report.legit();
        h.append(String.format(
                Locale.ROOT,
                "<h2>Legitimate traffic</h2>%n<p>%,d requests sent, %,d delivered (%s%% lost); outside"
                        + " the detection windows %,d sent, %,d lost (%s%%).</p>%n",
                legit.total().sent(),
                legit.total().delivered(),
                num(legit.lostPct()),
                legit.outsideDetection().sent(),
                legit.outsideDetection().lost(),
                num(legit.lostPctOutsideDetection())));

        h.append("<h2>Attacks</h2>\n<table><tr><th>attack</th><th>started</th><th>detected</th><th>mitigated</th>"
                + "<th>time to mitigate</th><th>sent (rate reached)</th><th>dropped after mitigation</th><th>stopped</th><th>retired</th>"
                + "<th>legitimate lost during detection</th></tr>\n");
        for (AttackOutcome a : report.attacks()) {
            h.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%s<br><small>%s</small></td><td>%s s</td><td>%s s</td><td>%s s</td><td>%s s</td><td>%,d (%,.0f/s)</td>"
                            + "<td>%s%% (%,d of %,d)</td><td>%s s</td><td>%s s</td><td>%,d of %,d</td></tr>%n",
                    esc(a.name()),
                    esc(a.plan().kind().description()),
                    num(a.startedSeconds()),
                    num(a.detectedSeconds()),
                    num(a.mitigatedSeconds()),
                    num(a.timeToMitigate()),
                    a.sent(),
                    a.reachedPps(),
                    num(a.droppedPctAfterMitigation()),
                    a.droppedAfterMitigation(),
                    a.droppedAfterMitigation() + a.passedAfterMitigation(),
                    num(a.stoppedSeconds()),
                    num(a.retiredSeconds()),
                    a.legitDuringDetection().lost(),
                    a.legitDuringDetection().sent()));
        }
        h.append("</table>\n");
        for (AttackOutcome a : report.attacks()) {
            h.append("<h3>")
                    .append(esc(a.name()))
                    .append(": ")
                    .append(esc(a.plan().kind().description()))
                    .append("</h3>\n");
            h.append(
                    a.evidence().map(ReportHtml::evidence).orElse("<p>The detector did not report this attack.</p>\n"));
            if (a.rules().isEmpty()) {
                h.append("<p>No rule was written.</p>\n");
            }
            for (Rule r : a.rules()) {
                h.append(rule(r));
            }
        }
        if (!report.leftoverAutoRules().isEmpty()) {
            h.append("<p class=\"missed\">Automatic rules still in force at the end: ")
                    .append(esc(String.join(", ", report.leftoverAutoRules())))
                    .append("</p>\n");
        }
        h.append(
                "<p>The same data, with the per-second timeline, is in <code>report.json</code>.</p>\n</body></html>\n");
        return h.toString();
    }

    private static String evidence(AttackEvidence e) {
        StringBuilder h = new StringBuilder("<p>What the detector saw: ");
        h.append(String.format(
                Locale.ROOT,
                "<b>%s</b> traffic to <b>%s</b> at %,.0f packets/s (%s Mbit/s), triggered by %s",
                esc(e.trafficClass()),
                esc(e.destination()),
                e.packetsPerSecond(),
                num(e.bitsPerSecond() / 1e6),
                esc(e.trigger())));
        if (e.thresholdPacketsPerSecond() != null) {
            h.append(String.format(Locale.ROOT, " (threshold %,d packets/s)", e.thresholdPacketsPerSecond()));
        }
        h.append(String.format(Locale.ROOT, "; %,d attack samples", e.attackSamples()));
        if (e.fingerprint() != null) {
            h.append("; fingerprint <code>").append(esc(e.fingerprint())).append("</code>");
        }
        if (e.coverage() != null) {
            h.append(String.format(Locale.ROOT, " covering %s%% of the attack's samples", num(100 * e.coverage())));
        }
        if (e.baselineMatch() != null) {
            h.append(String.format(Locale.ROOT, " and %s%% of normal ones", num(100 * e.baselineMatch())));
        }
        h.append(".");
        if (!e.note().isEmpty()) {
            h.append(" <i>").append(esc(e.note())).append("</i>");
        }
        return h.append("</p>\n").toString();
    }

    private static String rule(Rule r) {
        StringBuilder h = new StringBuilder("<p>Rule <code>")
                .append(esc(r.id()))
                .append("</code>: ")
                .append(esc(r.action().keyword()))
                .append(", ")
                .append(esc(r.comment()))
                .append("</p>\n");
        String filter = switch (r.match()) {
            case Match.Filter f -> f.expression();
            case Match.Cbpf c -> c.bytecode();
            case Match.Dns d -> String.join(", ", d.patterns());
            case Match.P0f p -> p.signature();
        };
        return h.append("<pre>").append(esc(filter)).append("</pre>\n").toString();
    }

    private static String esc(String text) {
        return Html.escape(text);
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.3f", value).replaceAll("\\.?0+$", "");
    }

    private static String num(OptionalDouble value) {
        return value.isPresent() ? num(value.getAsDouble()) : "—";
    }
}

package org.levee.lab.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The report's chart as inline SVG: packets per second over time on a logarithmic axis (floods
 * run at a million packets per second, legitimate traffic at thousands: a linear axis would hide
 * the latter), attack windows shaded, and a bar per rule from the second it came into force to the
 * second it was retired (dashed lines: the exact moments). No scripts, no fonts beyond the reader's own.
 */
public final class TrafficChart {
    static final int WIDTH = 960;
    static final int HEIGHT = 380;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 60;
    private static final int RULE_BAR = 8;

    /** A plotted series: its legend name, colour and value per second. */
    record Series(String name, String colour, ToLongFunction<Second> value) {}

    static final List<Series> SERIES = List.of(
            new Series("attack offered/s", "#d62728", Second::attackOffered),
            new Series("dropped at the edge/s", "#1f77b4", Second::dropped),
            new Series("legitimate delivered/s", "#2ca02c", Second::legitDelivered),
            new Series("legitimate lost/s", "#ff7f0e", Second::legitLost));

    private TrafficChart() {}

    public static String svg(List<Second> timeline, List<AttackOutcome> attacks) {
        int seconds = Math.max(1, timeline.isEmpty() ? 1 : timeline.getLast().second());
        long max = 10;
        for (Second s : timeline) {
            for (Series series : SERIES) {
                max = Math.max(max, series.value().applyAsLong(s));
            }
        }
        int decades = (int) Math.ceil(Math.log10(max));
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        Scale scale = new Scale(seconds, decades, plotWidth, plotHeight);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\""
                        + " aria-label=\"packets per second over time\" font-family=\"sans-serif\" font-size=\"11\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        for (AttackOutcome a : attacks) {
            double x0 = scale.x(a.startedSeconds());
            double x1 = scale.x(a.stoppedSeconds());
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"attack\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#d62728\" fill-opacity=\"0.08\"/>%n",
                    x0,
                    TOP,
                    Math.max(1, x1 - x0),
                    plotHeight));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" fill=\"#d62728\">%s</text>%n",
                    x0 + 3,
                    TOP + 12,
                    Html.escape(a.name())));
        }
        for (int d = 0; d <= decades; d++) {
            double y = scale.y(Math.pow(10, d));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT,
                    y,
                    LEFT + plotWidth,
                    y,
                    LEFT - 6,
                    y + 4,
                    decadeLabel(d)));
        }
        int step = seconds <= 30 ? 5 : seconds <= 120 ? 10 : 30;
        for (int t = 0; t <= seconds; t += step) {
            double x = scale.x(t);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d s</text>%n",
                    x,
                    TOP + plotHeight,
                    x,
                    TOP + plotHeight + 4,
                    x,
                    TOP + plotHeight + 16,
                    t));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT,
                TOP,
                plotWidth,
                plotHeight));
        for (Series series : SERIES) {
            svg.append(polyline(timeline, series, scale));
        }
        double barY = TOP + plotHeight + 22;
        for (RuleSpan span : ruleSpans(timeline)) {
            double x0 = scale.x(span.onSecond() - 1);
            double x1 = scale.x(span.offSecond() - 1);
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"rule\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#9467bd\">"
                            + "<title>%s: came into force in second %d, retired in second %d</title></rect>%n",
                    x0,
                    barY,
                    Math.max(1, x1 - x0),
                    RULE_BAR,
                    Html.escape(span.id()),
                    span.onSecond(),
                    span.offSecond()));
        }
        // The moments the attacks' rules came into force and were retired, to the millisecond.
        for (AttackOutcome a : attacks) {
            mark(svg, "rule-on", a.mitigatedSeconds(), scale, barY, "3,3");
            mark(svg, "rule-off", a.retiredSeconds(), scale, barY, "1,3");
        }
        double legendY = HEIGHT - 12;
        double legendX = LEFT;
        for (Series series : SERIES) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                    legendX,
                    legendY - 4,
                    series.colour(),
                    legendX + 18,
                    legendY,
                    Html.escape(series.name())));
            legendX += 34 + 6.5 * series.name().length();
        }
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"8\" fill=\"#9467bd\"/><text x=\"%.1f\" y=\"%.1f\">rule in force</text>%n",
                legendX,
                legendY - 6,
                legendX + 18,
                legendY));
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** A rule's time in force: from the end of the first second it was listed to the end of the last. */
    record RuleSpan(String id, int onSecond, int offSecond) {}

    /** The spans of every rule in {@code timeline}; a rule in force again later gets a second span. */
    static List<RuleSpan> ruleSpans(List<Second> timeline) {
        Map<String, Integer> open = new LinkedHashMap<>();
        List<RuleSpan> spans = new ArrayList<>();
        int last = 0;
        for (Second s : timeline) {
            for (String id : s.rules()) {
                open.putIfAbsent(id, s.second());
            }
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!s.rules().contains(e.getKey())) {
                    spans.add(new RuleSpan(e.getKey(), e.getValue(), s.second()));
                    it.remove();
                }
            }
            last = s.second();
        }
        for (var e : open.entrySet()) {
            spans.add(new RuleSpan(e.getKey(), e.getValue(), last + 1));
        }
        return spans;
    }

    private static void mark(
            StringBuilder svg,
            String kind,
            java.util.OptionalDouble seconds,
            Scale scale,
            double bottom,
            String dashes) {
        if (seconds.isPresent()) {
            double x = scale.x(seconds.getAsDouble());
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9467bd\" stroke-dasharray=\"%s\"/>%n",
                    kind,
                    x,
                    TOP,
                    x,
                    bottom,
                    dashes));
        }
    }

    private static String polyline(List<Second> timeline, Series series, Scale scale) {
        StringBuilder points = new StringBuilder();
        for (Second s : timeline) {
            double y = scale.y(series.value().applyAsLong(s));
            points.append(String.format(
                    Locale.ROOT, "%.1f,%.1f %.1f,%.1f ", scale.x(s.second() - 1), y, scale.x(s.second()), y));
        }
        return String.format(
                Locale.ROOT,
                "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\"><title>%s</title></polyline>%n",
                series.colour(),
                points.toString().strip(),
                Html.escape(series.name()));
    }

    private static String decadeLabel(int decade) {
        return switch (decade) {
            case 0 -> "1";
            case 1 -> "10";
            case 2 -> "100";
            case 3 -> "1k";
            case 4 -> "10k";
            case 5 -> "100k";
            case 6 -> "1M";
            case 7 -> "10M";
            case 8 -> "100M";
            default -> "1e" + decade;
        };
    }

    /** Seconds to x, packets per second to y (log10; 0 and 1 sit on the bottom line). */
    private record Scale(int seconds, int decades, double width, double height) {
        double x(double second) {
            return LEFT + width * Math.clamp(second, 0, seconds) / seconds;
        }

        double y(double perSecond) {
            double log = perSecond <= 1 ? 0 : Math.log10(perSecond);
            return TOP + height - height * log / decades;
        }
    }
}

package org.levee.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/** report.html opens offline, escapes what it shows, and draws the chart from the timeline. */
class ReportHtmlTest {

    static Stream<Long> seeds() {
        return LongStream.range(1, 41).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void selfContainedWithAWellFormedChartOfTheTimeline(long seed) throws Exception {
        DemoReport report = Reports.random(seed);
        String html = ReportHtml.write(report);

        // Nothing fetched: no scripts, no external styles, fonts or images; the only URL is SVG's namespace name.
        assertThat(html)
                .doesNotContainIgnoringCase("<script")
                .doesNotContainIgnoringCase("<link")
                .doesNotContainIgnoringCase("@import")
                .doesNotContainIgnoringCase("url(")
                .doesNotContainIgnoringCase("<img");
        assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
                .doesNotContain("http://")
                .doesNotContain("https://");
        // Text from rules and notes is escaped.
        assertThat(html)
                .doesNotContain("<203.0.113.10>")
                .contains("&lt;203.0.113.10&gt; &amp; co")
                .contains("&lt;short&gt; &amp; sweet");

        String svg = svg(html);
        Document chart = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(chart.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(count(svg, "<polyline class=\"series\"")).isEqualTo(TrafficChart.SERIES.size());
        assertThat(count(svg, "<rect class=\"attack\""))
                .isEqualTo(report.attacks().size());
        assertThat(count(svg, "<rect class=\"rule\""))
                .isEqualTo(TrafficChart.ruleSpans(report.timeline()).size());
        // Each series has two points (a step) per second of the timeline.
        Matcher points = Pattern.compile("points=\"([^\"]*)\"").matcher(svg);
        while (points.find()) {
            assertThat(points.group(1).split(" ")).hasSize(2 * report.timeline().size());
        }
        for (AttackOutcome a : report.attacks()) {
            assertThat(html).contains(">" + a.name() + "<");
        }
        assertThat(html).contains(report.allTargetsMet() ? "all met" : "not all met");
    }

    @Test
    void ruleSpansRunFromTheFirstSecondARuleIsListedToTheFirstItIsNot() {
        List<Second> timeline = List.of(
                row(1, List.of()),
                row(2, List.of("a")),
                row(3, List.of("a", "b")),
                row(4, List.of("b")),
                row(5, List.of()),
                row(6, List.of("a")));
        assertThat(TrafficChart.ruleSpans(timeline))
                .containsExactly(
                        new TrafficChart.RuleSpan("a", 2, 4),
                        new TrafficChart.RuleSpan("b", 3, 5),
                        new TrafficChart.RuleSpan("a", 6, 7));
    }

    @Test
    void theConsoleRowShowsTheSecondsFigures() {
        Second s = new Second(
                12, "dns-amp", 2050, 2049, 1_002_003, 900_000, 899_000, 1000, 10, 0, 10, List.of("auto-x-2"));
        assertThat(ConsoleTable.row(s))
                .isEqualTo(String.format(
                        "%5s  %-13s  %13s  %12s  %12s  %s%n",
                        "12", "dns-amp", "2049/2050", "1,002,003", "899,000", "auto-x-2"));
        assertThat(ConsoleTable.header())
                .contains("legit dlv/sent")
                .contains("offered/s")
                .contains("dropped/s")
                .contains("rules");
    }

    private static Second row(int second, List<String> rules) {
        return new Second(second, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, rules);
    }

    private static String svg(String html) {
        int start = html.indexOf("<svg");
        int end = html.indexOf("</svg>") + "</svg>".length();
        assertThat(start).isNotNegative();
        return html.substring(start, end);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}

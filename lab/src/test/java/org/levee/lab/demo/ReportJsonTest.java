package org.levee.lab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** report.json holds the issue's contract fields, with the report's values, null where nothing was measured. */
class ReportJsonTest {

    static Stream<Long> seeds() {
        return LongStream.range(1, 41).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theIssuesShapeWithTheReportsValues(long seed) throws Exception {
        DemoReport report = Reports.random(seed);
        JsonNode json = new JsonMapper().readTree(ReportJson.write(report));

        JsonNode legit = json.get("legit");
        assertThat(legit.get("sent").asLong()).isEqualTo(report.legit().total().sent());
        assertThat(legit.get("delivered").asLong())
                .isEqualTo(report.legit().total().delivered());
        assertThat(legit.get("lost_pct").asDouble()).isEqualTo(report.legit().lostPct());
        assertThat(legit.get("lost_pct_outside_detection").asDouble())
                .isEqualTo(report.legit().lostPctOutsideDetection());

        assertThat(json.get("attacks")).hasSize(report.attacks().size());
        for (int i = 0; i < report.attacks().size(); i++) {
            AttackOutcome a = report.attacks().get(i);
            JsonNode n = json.get("attacks").get(i);
            assertThat(n.get("name").asText()).isEqualTo(a.name());
            assertThat(n.get("started_s").asDouble()).isEqualTo(a.startedSeconds());
            assertThat(n.get("sent").asLong()).isEqualTo(a.sent());
            assertOptional(n, "detected_s", a.detectedSeconds());
            assertOptional(n, "mitigated_s", a.mitigatedSeconds());
            assertOptional(n, "time_to_mitigate_s", a.timeToMitigate());
            assertOptional(n, "dropped_pct_after_mitigation", a.droppedPctAfterMitigation());
            assertOptional(n, "retired_s", a.retiredSeconds());
            if (a.rule().isPresent()) {
                assertThat(n.get("rule").get("id").asText())
                        .isEqualTo(a.rule().get().id());
                assertThat(n.get("rule").get("action").asText()).isEqualTo("drop");
                assertThat(n.get("rule").get("comment").asText())
                        .isEqualTo(a.rule().get().comment());
                assertThat(n.get("detector").get("fingerprint").asText())
                        .isEqualTo(a.evidence().orElseThrow().fingerprint());
                assertThat(n.get("detector").get("traffic_class").asText()).isEqualTo("udp");
            } else {
                assertThat(n.get("rule").isNull()).isTrue();
                assertThat(n.get("detector").isNull()).isTrue();
            }
        }
        assertThat(json.get("all_targets_met").asBoolean()).isEqualTo(report.allTargetsMet());
        assertThat(json.get("targets")).hasSize(report.targets().size());
        for (int i = 0; i < report.targets().size(); i++) {
            assertThat(json.get("targets").get(i).get("met").asBoolean())
                    .isEqualTo(report.targets().get(i).met());
            assertThat(json.get("targets").get(i).get("name").asText())
                    .isEqualTo(report.targets().get(i).name());
        }
        assertThat(json.get("timeline")).hasSize(report.timeline().size());
        JsonNode last = json.get("timeline").get(report.timeline().size() - 1);
        Second lastRow = report.timeline().getLast();
        assertThat(last.get("t").asInt()).isEqualTo(lastRow.second());
        assertThat(last.get("attack_offered").asLong()).isEqualTo(lastRow.attackOffered());
        assertThat(last.get("legit_delivered").asLong()).isEqualTo(lastRow.legitDelivered());
        assertThat(json.get("settings").get("cooldown_s").asDouble()).isEqualTo(5.0);
    }

    private static void assertOptional(JsonNode n, String field, java.util.OptionalDouble value) {
        assertThat(n.has(field)).as(field).isTrue();
        if (value.isPresent()) {
            assertThat(n.get(field).asDouble()).as(field).isEqualTo(value.getAsDouble());
        } else {
            assertThat(n.get(field).isNull()).as(field + " is null").isTrue();
        }
    }
}

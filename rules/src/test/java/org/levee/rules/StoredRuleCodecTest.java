package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.rules.testing.RandomRules;

class StoredRuleCodecTest {

    static LongStream seeds() {
        return LongStream.range(0, 60).map(i -> 0x5_7023_0000L + i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void storedRulesReadBackEqualFromTreesAndBytes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StoredRule stored = RandomRules.stored(random, "r" + seed);
        assertThat(StoredRuleCodec.read("test", StoredRuleCodec.write(stored), Optional.empty()))
                .isEqualTo(stored);
        assertThat(StoredRuleCodec.parse("test", StoredRuleCodec.toBytes(stored), Optional.empty()))
                .isEqualTo(stored);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void theShapeIsTheRuleFileFieldsPlusCreatedAndEvidence(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StoredRule stored = RandomRules.stored(random, "r" + seed);
        JsonNode json = StoredRuleCodec.write(stored);
        JsonNode ruleFields = RuleCodec.writeRule(stored.rule());
        ruleFields
                .fieldNames()
                .forEachRemaining(name -> assertThat(json.get(name)).as(name).isEqualTo(ruleFields.get(name)));
        assertThat(json.get("created").asText()).isEqualTo(stored.created().toString());
        assertThat(json.has("evidence")).isEqualTo(stored.evidence().isPresent());
        assertThat(json.size())
                .isEqualTo(ruleFields.size() + 1 + (stored.evidence().isPresent() ? 1 : 0));
    }

    @Test
    void evidenceHasTheSnakeCaseFieldsOfTheApi() {
        AttackEvidence e = RandomRules.evidence(new SplittableRandom(3));
        JsonNode json = StoredRuleCodec.evidenceJson(e);
        assertThat(json.get("traffic_class").asText()).isEqualTo(e.trafficClass());
        assertThat(json.get("packets_per_second").asDouble()).isEqualTo(e.packetsPerSecond());
        assertThat(json.get("samples_per_datacenter").get("ams1").asLong())
                .isEqualTo(e.samplesPerDatacenter().get("ams1"));
        assertThat(json.has("threshold_packets_per_second")).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"id": "x", "filter": "udp", "action": "drop", "created": "2026-01-01T00:00:00Z", "colour": 1} | colour: unknown field
            {"id": "x", "filter": "udp", "action": "dorp", "created": "2026-01-01T00:00:00Z"}              | action: unknown value "dorp"
            {"id": "x", "filter": "udp", "action": "drop", "created": "yesterday"}                          | created: 'yesterday' is not an RFC 3339 time
            {"id": "x", "filter": "udp", "action": "drop"}                                                  | created: missing
            {"id": "x", "filter": "udp", "action": "drop", "created": "2026-01-01T00:00:00Z", "evidence": 3} | evidence: must be an object
            {"id": "x", "filter": "udp", "action": "drop", "created": "2026-01-01T00:00:00Z", "evidence": {"packets_per_second": "many"}} | evidence:
            {"id": "x", "filter": "udp", "action": "drop", "created": "2026-01-01T00:00:00Z"} trailing          | not valid JSON
            {"id": "x", "id": "y", "filter": "udp", "action": "drop", "created": "2026-01-01T00:00:00Z"}     | not valid JSON at line 1, column
            {"id": "x", "filter": "udp", "action":                                                           | not valid JSON
            [1, 2]                                                                                          | must be a JSON object
            """)
    void everyProblemNamesItsField(String json, String message) {
        assertThatThrownBy(() -> StoredRuleCodec.parse(
                        "/levee/rules/x", json.getBytes(StandardCharsets.UTF_8), Optional.empty()))
                .isInstanceOf(RuleSetException.class)
                .hasMessageStartingWith("/levee/rules/x: ")
                .hasMessageContaining(message);
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        String json =
                "{\"id\": \"x\", \"filter\": \"udp\", \"action\": \"dorp\", \"created\": \"soon\", \"colour\": 1}";
        assertThatThrownBy(() -> StoredRuleCodec.parse("k", json.getBytes(StandardCharsets.UTF_8), Optional.empty()))
                .isInstanceOfSatisfying(
                        RuleSetException.class, e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void aMissingCreatedTakesTheGivenTime() {
        Instant when = Instant.parse("2026-12-07T10:00:00Z");
        StoredRule r = StoredRuleCodec.parse(
                "k",
                "{\"id\": \"x\", \"filter\": \"udp\", \"action\": \"drop\"}".getBytes(StandardCharsets.UTF_8),
                Optional.of(when));
        assertThat(r.created()).isEqualTo(when);
        assertThat(r.rule().origin()).isEqualTo(Origin.MANUAL);
    }

    @Test
    void evidenceFieldsOfALaterVersionAreIgnoredAndMissingOnesAreNull() throws Exception {
        JsonNode node = new JsonMapper().readTree("""
                {"id": "auto-1", "cbpf": "1,6 0 0 65535", "action": "drop", "origin": "auto",
                 "created": "2026-01-01T00:00:00+01:00",
                 "evidence": {"destination": "203.0.113.10/32", "traffic_class": "udp", "mood": "grumpy"}}""");
        StoredRule r = StoredRuleCodec.read("k", node, Optional.empty());
        assertThat(r.created()).isEqualTo(Instant.parse("2025-12-31T23:00:00Z"));
        assertThat(r.evidence()).get().satisfies(e -> {
            assertThat(e.destination()).isEqualTo("203.0.113.10/32");
            assertThat(e.trafficClass()).isEqualTo("udp");
            assertThat(e.thresholdPacketsPerSecond()).isNull();
            assertThat(e.rejected()).isEmpty();
        });
    }
}

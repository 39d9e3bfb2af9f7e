package org.levee.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.rules.StoredRuleCodec;

class NotificationJsonTest {

    static Stream<Long> seeds() {
        return LongStream.range(0, 40).mapToObj(i -> 0x5eed_0000L + i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyKindReadsBackEqual(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (EventKind kind : EventKind.values()) {
            Notification n = Events.random(random, kind, random.nextInt(100));
            byte[] bytes = NotificationJson.toBytes(n);
            Notification back = NotificationJson.parse("test", bytes);
            assertThat(back).as("seed %d, %s", seed, kind).isEqualTo(n);
            JsonNode json = new ObjectMapper().readTree(bytes);
            assertThat(json.path("kind").asText()).isEqualTo(kind.keyword());
            assertThat(json.path("text").asText()).isEqualTo(n.text()).startsWith("levee ");
            // Every key is there for every kind, null when it does not apply.
            assertThat(json.properties().stream()
                            .map(java.util.Map.Entry::getKey)
                            .toList())
                    .containsExactly(
                            "id",
                            "kind",
                            "at",
                            "source",
                            "text",
                            "destination",
                            "traffic_class",
                            "rule",
                            "evidence",
                            "reason",
                            "node",
                            "registration",
                            "refused");
            // One shape for a rule wherever it goes: the stored rule's, as the API shows it.
            n.rule()
                    .ifPresent(r -> assertThat(json.get("rule").toString())
                            .isEqualTo(StoredRuleCodec.write(r).toString()));
            n.evidence()
                    .ifPresent(e -> assertThat(json.get("evidence").toString())
                            .isEqualTo(StoredRuleCodec.evidenceJson(e).toString()));
        }
    }

    @Test
    void badDocumentsNameTheField() {
        String good = new String(
                NotificationJson.toBytes(Events.random(new SplittableRandom(1), EventKind.RULE_ADDED, 1)),
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> NotificationJson.parse("/levee/notifications/pending/x", "[1]".getBytes()))
                .hasMessage(
                        "notification at /levee/notifications/pending/x: must be a JSON object (id, kind, at, source, …)");
        assertThatThrownBy(() -> NotificationJson.parse(
                        "k",
                        good.replace("\"kind\":\"rule_added\"", "\"kind\":\"rule_made\"")
                                .getBytes()))
                .hasMessageContaining(
                        "notification at k: kind: unknown event 'rule_made' (attack_detected, rule_added");
        assertThatThrownBy(() -> NotificationJson.parse(
                        "k",
                        good.replaceFirst("\"at\":\"[^\"]+\"", "\"at\":\"yesterday\"")
                                .getBytes()))
                .hasMessage("notification at k: at: 'yesterday' is not an RFC 3339 time (like 2026-12-07T08:23:25Z)");
        assertThatThrownBy(() -> NotificationJson.parse(
                        "k", good.replaceFirst("\"id\":\"[^\"]+\"", "\"id\":7").getBytes()))
                .hasMessage("notification at k: id: must be a string, not 7");
        assertThatThrownBy(() -> NotificationJson.parse(
                        "k", (good.substring(0, good.length() - 1) + ",\"id\":\"y\"}").getBytes()))
                .hasMessageContaining("notification at k: not valid JSON: Duplicate field 'id'");
    }
}

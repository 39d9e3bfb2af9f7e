package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManualRuleRequestTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) new JsonMapper().readTree(json);
    }

    @Test
    void aRequestWithoutIdGetsAManualId() throws Exception {
        Rule rule = ManualRuleRequest.read(body("{\"filter\": \"udp\", \"action\": \"drop\"}"), NOW);
        assertThat(rule.id()).matches("manual-[0-9a-f]{8}");
        assertThat(rule.origin()).isEqualTo(Origin.MANUAL);
        assertThat(ManualRuleRequest.read(body("{\"filter\": \"udp\", \"action\": \"drop\"}"), NOW)
                        .id())
                .isNotEqualTo(rule.id());
    }

    @Test
    void ttlBecomesExpires() throws Exception {
        Rule rule = ManualRuleRequest.read(
                body("{\"id\": \"a\", \"filter\": \"udp\", \"action\": \"drop\", \"ttl\": \"1h30m\"}"), NOW);
        assertThat(rule.expires()).contains(Instant.parse("2026-12-07T13:30:00Z"));
    }

    @Test
    void forceIsReadAndIsNotPartOfTheRule() throws Exception {
        ObjectNode forced = body("{\"id\": \"a\", \"filter\": \"tcp port 22\", \"action\": \"drop\", \"force\": true}");
        assertThat(ManualRuleRequest.force(forced)).isTrue();
        assertThat(ManualRuleRequest.read(forced, NOW))
                .isEqualTo(ManualRuleRequest.read(
                        body("{\"id\": \"a\", \"filter\": \"tcp port 22\", \"action\": \"drop\"}"), NOW));
        assertThat(ManualRuleRequest.force(body("{\"filter\": \"udp\", \"force\": false}")))
                .isFalse();
        assertThat(ManualRuleRequest.force(body("{\"filter\": \"udp\"}"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"filter": "udp", "action": "drop", "origin": "auto"}                              | origin: rules added through the API are manual
            {"filter": "udp", "action": "drop", "ttl": "1h", "expires": "2030-01-01T00:00:00Z"} | ttl: give either ttl or expires
            {"filter": "udp", "action": "drop", "ttl": "soon"}                                 | ttl: 'soon' is not a duration
            {"filter": "udp", "action": "drop", "ttl": "0s"}                                   | ttl: must be longer than zero
            {"filter": "udp", "action": "drop", "expires": "2026-12-07T11:00:00Z"}             | expires: 2026-12-07T11:00:00Z is not in the future
            {"filter": "udp", "action": "dorp"}                                                | action: unknown value "dorp"
            {"filter": "udp", "action": "drop", "force": "yes"}                                | force: must be true or false, not "yes"
            """)
    void badRequestsNameTheField(String json, String message) {
        assertThatThrownBy(() -> ManualRuleRequest.read(body(json), NOW))
                .isInstanceOf(RuleSetException.class)
                .hasMessageContaining(message);
    }
}

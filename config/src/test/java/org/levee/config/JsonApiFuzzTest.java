package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * What both APIs read the same way before their own rule parsing ({@link JsonApi}): the rule id of
 * {@code /rules/{id}}, fuzzed, and the crashes found in request bodies, with their minimized
 * inputs ({@link RuleBodyFuzzTest} fuzzes the bodies).
 */
@Tag("fuzz")
class JsonApiFuzzTest {
    @Test
    void ruleIdsInPaths() {
        FuzzRunner.run(FuzzFamily.text("API paths (/rules/{id})")
                        .seeds(
                                "/rules/memcached-amp",
                                "/rules/manual-0a1b2c3d",
                                "/rules/%6demcached-amp",
                                "/rules/a%2Fb",
                                "/rules/caf%C3%A9",
                                "/rules/a+b",
                                "/rules/")
                        .dictionary("%", "%2", "%zz", "%C3", "%A9", "%00", "%ff", "+", "/", "..", "%2F", "%25")
                        .target(path -> {
                            try {
                                JsonApi.ruleId(path.startsWith("/rules/") ? path : "/rules/" + path);
                            } catch (ApiException e) {
                                if (e.status() != 400) {
                                    throw new AssertionError("status " + e.status() + " for a bad path", e);
                                }
                                throw e;
                            }
                        })
                        .rejects(ApiException.class, "^path: '.*' is not a valid percent-encoded rule id: \\S")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void aBrokenEscapeInThePathIs400NotAnInternalError() {
        // Was: URLDecoder's IllegalArgumentException, answered 500 "internal error".
        assertThatThrownBy(() -> JsonApi.ruleId("/rules/%zz"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageStartingWith("path: '%zz' is not a valid percent-encoded");
        assertThatThrownBy(() -> JsonApi.ruleId("/rules/a%")).isInstanceOf(ApiException.class);
        assertThat(JsonApi.ruleId("/rules/%6demcached-amp")).isEqualTo("memcached-amp");
    }

    @Test
    void aKeyTwiceOrASecondObjectIsRefusedWithItsPlace() {
        assertThatThrownBy(() -> JsonApi.ruleRequest("{\"filter\": \"udp\", \"action\": \"drop\", \"action\": \"pass\"}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith("body: not valid JSON at line 1, column ")
                .hasMessageContaining("Duplicate field 'action'");
        assertThatThrownBy(() -> JsonApi.ruleRequest("{\"filter\": \"udp\", \"action\": \"drop\"} {\"filter\": \"tcp\"}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith("body: not valid JSON at line 1, column ");
    }

    @Test
    void aBodyThatIsNotUtf8Is400WithItsPlace() {
        // Was: Jackson took the body for UTF-32 and threw a CharConversionException (an IOException): the
        // server dropped the connection without an answer.
        byte[] utf32 = {0, 0, 0, 0x65, 0x2d};
        assertThatThrownBy(() -> JsonApi.ruleRequest(utf32))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageStartingWith("body: not valid JSON at line 1, column ");
        byte[] latin1 = "{\"filter\": \"udp\",\n \"comment\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> JsonApi.ruleRequest(latin1))
                .isInstanceOf(ApiException.class)
                .hasMessage("body: not valid JSON at line 2, column 17: byte 34 (0xe9) is not UTF-8");
    }

    @Test
    void aBodyOverTheLimitIs413AndAnEmptyOrNonObjectBodyIs400() {
        assertThatThrownBy(() -> JsonApi.ruleRequest(new byte[JsonApi.MAX_BODY + 1]))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessage("body: larger than " + JsonApi.MAX_BODY + " bytes");
        assertThatThrownBy(() -> JsonApi.ruleRequest(new byte[0]))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageStartingWith("body: empty");
        assertThatThrownBy(() -> JsonApi.ruleRequest("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class)
                .hasMessageStartingWith("body: must be a JSON object");
    }
}

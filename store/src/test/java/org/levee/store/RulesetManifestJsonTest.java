package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RulesetManifestJsonTest {
    private static final String SHA = "0123456789abcdef".repeat(4);
    private static final String KEY = "/levee/ruleset";

    private static RulesetManifest sample() {
        return new RulesetManifest(
                7,
                List.of("syn-1", "dns-2"),
                new ObjectRef(SHA, 3_670_016, 4),
                Instant.parse("2026-12-07T06:08:13.123Z"),
                "ctl-a");
    }

    @Test
    void writesTheDocumentedFieldsInOrder() {
        String json = new String(RulesetManifestJson.encode(sample()), StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo(
                        "{\"version\":7,\"rules\":[\"syn-1\",\"dns-2\"],\"object\":{\"sha256\":\"" + SHA
                                + "\",\"size\":3670016,\"chunks\":4},\"compiled_at\":\"2026-12-07T06:08:13.123Z\",\"controller\":\"ctl-a\"}");
    }

    @Test
    void readsBackWhatItWritesAndKeepsFieldsItDoesNotKnow() {
        RulesetManifest withExtras = sample().withExtra("signature", TextNode.valueOf("ed25519:abcd"))
                .withExtra("expires", JsonNodeFactory.instance.objectNode().put("syn-1", "2026-12-07T07:00:00Z"));
        byte[] json = RulesetManifestJson.encode(withExtras);
        RulesetManifest back = RulesetManifestJson.decode(json, KEY);
        assertThat(back).isEqualTo(withExtras);
        assertThat(back.extra().keySet()).containsExactly("signature", "expires");
        assertThat(RulesetManifestJson.encode(back)).isEqualTo(json);
    }

    @Test
    void theGzipFormTravelsAsAnExtraFieldThatOlderReadersKeep() {
        ObjectRef gzip = new ObjectRef("fedcba9876543210".repeat(4), 512_000, 1);
        RulesetManifest manifest = sample().withGzip(gzip);
        String json = new String(RulesetManifestJson.encode(manifest), StandardCharsets.UTF_8);
        assertThat(json)
                .endsWith(",\"controller\":\"ctl-a\",\"object_gzip\":{\"sha256\":\"" + gzip.sha256()
                        + "\",\"size\":512000,\"chunks\":1}}");
        RulesetManifest back = RulesetManifestJson.decode(json.getBytes(StandardCharsets.UTF_8), KEY);
        assertThat(back).isEqualTo(manifest);
        assertThat(back.gzip()).contains(gzip);
        assertThat(back.object()).isEqualTo(sample().object()); // the object is still the plain one
        assertThat(sample().gzip()).isEmpty();
        assertThatThrownBy(() -> sample().withExtra(RulesetManifest.GZIP_FIELD, TextNode.valueOf("yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field 'object_gzip' must be an object {sha256, size, chunks}, got \"yes\"");
    }

    static Stream<Arguments> badManifests() {
        String object = "\"object\":{\"sha256\":\"" + SHA + "\",\"size\":100,\"chunks\":1}";
        String rest = "\"compiled_at\":\"2026-12-07T06:08:13Z\",\"controller\":\"ctl-a\"";
        String good = "{\"version\":1,\"rules\":[\"a\"]," + object + "," + rest + "}";
        return Stream.of(
                Arguments.of("{\"version\":1,", "is not valid JSON"),
                Arguments.of("[1,2]", "must be a JSON object, got array"),
                Arguments.of("", "is empty"),
                Arguments.of(good + " {}", "is not valid JSON"),
                Arguments.of(good.replace("\"version\":1,", ""), "field 'version' is missing"),
                Arguments.of(
                        good.replace("\"version\":1", "\"version\":\"1\""),
                        "field 'version' must be a whole number in 1..9223372036854775807, got \"1\""),
                Arguments.of(
                        good.replace("\"version\":1", "\"version\":1.5"), "field 'version' must be a whole number"),
                Arguments.of(
                        good.replace("\"version\":1", "\"version\":0"),
                        "field 'version' must be a whole number in 1.."),
                Arguments.of(good.replace("\"version\":1", "\"version\":1,\"version\":2"), "Duplicate field 'version'"),
                Arguments.of(
                        good.replace("[\"a\"]", "\"a\""), "field 'rules' must be an array of rule ids, got string"),
                Arguments.of(
                        good.replace("[\"a\"]", "[\"a\",7]"), "field 'rules[1]' must be a rule id (a string), got 7"),
                Arguments.of(
                        good.replace("[\"a\"]", "[\"a\",\"b\",\"a\"]"),
                        "rule id 'a' is listed twice: rules[0] and rules[2]"),
                Arguments.of(good.replace("[\"a\"]", "[\"a/b\"]"), "rules[0] 'a/b' has a '/'"),
                Arguments.of(good.replace(object + ",", ""), "field 'object' is missing"),
                Arguments.of(
                        good.replace(SHA, SHA.toUpperCase()),
                        "field 'object.sha256' must be 64 lowercase hex digits, got \"" + SHA.toUpperCase() + "\""),
                Arguments.of(
                        good.replace(SHA, SHA.substring(1)), "field 'object.sha256' must be 64 lowercase hex digits"),
                Arguments.of(
                        good.replace("\"size\":100", "\"size\":0"),
                        "field 'object.size' must be a whole number in 1..268435456, got 0"),
                Arguments.of(
                        good.replace("\"chunks\":1", "\"chunks\":101"),
                        "field 'object.chunks' must be a whole number in 1..100, got 101"),
                Arguments.of(
                        good.replace("\"chunks\":1", "\"chunks\":1,\"chunk_size\":5"),
                        "field 'object.chunk_size' is unknown"),
                Arguments.of(
                        good.replace("2026-12-07T06:08:13Z", "yesterday"),
                        "field 'compiled_at' must be an ISO-8601 UTC time"),
                Arguments.of(
                        good.replace("\"ctl-a\"", "\"\""), "field 'controller' must be a non-empty string, got \"\""),
                Arguments.of(
                        good.replace(rest, rest + ",\"object_gzip\":7"),
                        "field 'object_gzip' must be an object {sha256, size, chunks}, got 7"),
                Arguments.of(
                        good.replace(
                                rest,
                                rest + ",\"object_gzip\":{\"sha256\":\"" + SHA + "\",\"size\":\"big\",\"chunks\":1}"),
                        "field 'object_gzip.size' must be a whole number in 1..268435456, got \"big\""),
                Arguments.of(
                        good.replace(
                                rest, rest + ",\"object_gzip\":{\"sha256\":\"" + SHA + "\",\"size\":10,\"chunks\":11}"),
                        "field 'object_gzip.chunks' must be a whole number in 1..10, got 11"),
                Arguments.of(
                        good.replace(rest, rest + ",\"object_gzip\":{\"size\":10,\"chunks\":1}"),
                        "field 'object_gzip.sha256' is missing"),
                Arguments.of(
                        good.replace(rest, rest + ",\"object_gzip\":{\"sha256\":\"x\",\"size\":10,\"chunks\":1}"),
                        "field 'object_gzip.sha256' must be 64 lowercase hex digits, got \"x\""),
                Arguments.of(
                        good.replace(
                                rest,
                                rest + ",\"object_gzip\":{\"sha256\":\"" + SHA
                                        + "\",\"size\":10,\"chunks\":1,\"level\":9}"),
                        "field 'object_gzip.level' is unknown"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badManifests")
    void badManifestsAreRefusedNamingTheKeyAndTheField(String json, String expected) {
        assertThatThrownBy(() -> RulesetManifestJson.decode(json.getBytes(StandardCharsets.UTF_8), KEY))
                .isInstanceOfSatisfying(
                        BadManifestException.class, e -> assertThat(e.key()).isEqualTo(KEY))
                .hasMessageStartingWith("manifest at /levee/ruleset: ")
                .hasMessageContaining(expected);
    }
}

package org.levee.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Rule;
import org.levee.rules.StoredRule;
import org.levee.rules.testing.RandomRules;

class RuleStoreTest {

    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.range(0, 40).map(i -> 0x5707e000L + i);
    }

    static AttackEvidence evidence(SplittableRandom random) {
        return new AttackEvidence(
                "203.0.113." + random.nextInt(256) + "/32",
                "udp",
                "threshold",
                random.nextDouble() * 1e6,
                random.nextDouble() * 1e9,
                50_000L,
                null,
                random.nextDouble() * 100,
                "udp sport 11211",
                random.nextDouble(),
                random.nextDouble() / 100,
                random.nextLong(1, 10_000),
                List.of("udp dport: covers 3%"),
                new TreeMap<>(Map.of("ams1", 40L, "fra1", 2L)),
                "dropping");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void savedRulesLoadBackEqual(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<StoredRule> rules = new ArrayList<>();
        for (Rule r : RandomRules.rules(random, random.nextInt(0, 12))) {
            rules.add(new StoredRule(
                    r,
                    Instant.ofEpochSecond(1_800_000_000L, random.nextInt(1_000_000_000)),
                    random.nextBoolean() ? Optional.of(evidence(random)) : Optional.empty()));
        }
        RuleStore store = new RuleStore(dir.resolve("state"));
        store.save(rules);
        assertThat(new RuleStore(dir.resolve("state")).load()).isEqualTo(rules);
    }

    @Test
    void theFileHoldsStoredRulesInTheSharedShape() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        StoredRule rule = new StoredRule(
                RandomRules.rule(random, "shared"),
                Instant.parse("2026-12-07T10:00:00Z"),
                Optional.of(evidence(random)));
        RuleStore store = new RuleStore(dir);
        store.save(List.of(rule));
        var root = new com.fasterxml.jackson.databind.json.JsonMapper()
                .readTree(store.file().toFile());
        assertThat(root.get("format").asInt()).isEqualTo(2);
        assertThat(root.get("rules").get(0).toString())
                .isEqualTo(org.levee.rules.StoredRuleCodec.write(rule).toString());
    }

    @Test
    void filesOfTheNestedFormatOneAreStillRead() throws IOException {
        RuleStore store = new RuleStore(dir);
        Files.writeString(store.file(), """
                {"format": 1, "rules": [
                  {"rule": {"id": "ok", "filter": "udp", "action": "drop"}, "created": "2026-01-01T00:00:00Z"},
                  {"rule": {"id": "auto-x-1", "cbpf": "1,6 0 0 65535", "action": "drop", "origin": "auto"},
                   "created": "2026-01-01T00:00:01Z",
                   "evidence": {"destination": "203.0.113.10/32", "traffic_class": "udp", "trigger": "threshold"}}
                ]}
                """);
        List<StoredRule> rules = store.load();
        assertThat(rules).extracting(StoredRule::id).containsExactly("ok", "auto-x-1");
        assertThat(rules.get(1).evidence())
                .get()
                .extracting(AttackEvidence::trafficClass)
                .isEqualTo("udp");
        store.save(rules);
        assertThat(store.load()).isEqualTo(rules);
    }

    @Test
    void aBadEntryOfFormatTwoNamesItsField() throws IOException {
        RuleStore store = new RuleStore(dir);
        Files.writeString(store.file(), """
                {"format": 2, "rules": [{"id": "x", "filter": "udp", "action": "drop", "created": "soon"}]}
                """);
        assertThatThrownBy(store::load)
                .hasMessageContaining(store.file() + ": rules[0]: created: 'soon' is not an RFC 3339");
    }

    @Test
    void aMissingFileMeansNoRules() {
        assertThat(new RuleStore(dir.resolve("nothing-here")).load()).isEmpty();
    }

    @Test
    void savingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        RuleStore store = new RuleStore(dir);
        SplittableRandom random = new SplittableRandom(1);
        store.save(List.of(new StoredRule(RandomRules.rule(random, "a"), Instant.EPOCH, Optional.empty())));
        store.save(List.of(new StoredRule(RandomRules.rule(random, "b"), Instant.EPOCH, Optional.empty())));
        assertThat(store.load()).extracting(StoredRule::id).containsExactly("b");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(RuleStore.FILE);
        }
    }

    @Test
    void aBadEntryIsReportedWithFileIndexAndField() throws IOException {
        RuleStore store = new RuleStore(dir);
        Files.writeString(store.file(), """
                {"format": 1, "rules": [
                  {"rule": {"id": "ok", "filter": "udp", "action": "drop"}, "created": "2026-01-01T00:00:00Z"},
                  {"rule": {"id": "bad", "filter": "udp", "action": "dorp"}, "created": "2026-01-01T00:00:00Z"}
                ]}
                """);
        assertThatThrownBy(store::load)
                .isInstanceOf(RuleStoreException.class)
                .hasMessageContaining(store.file() + ": rules[1].rule: action: unknown value \"dorp\"");
    }

    @Test
    void aBadTimeIsReportedWithItsField() throws IOException {
        RuleStore store = new RuleStore(dir);
        Files.writeString(store.file(), """
                {"format": 1, "rules": [{"rule": {"id": "x", "filter": "udp", "action": "drop"}, "created": "yesterday"}]}
                """);
        assertThatThrownBy(store::load).hasMessageContaining("rules[0].created: 'yesterday' is not an RFC 3339");
    }

    @Test
    void truncatedJsonAndOtherFormatsAreRefused() throws IOException {
        RuleStore store = new RuleStore(dir);
        Files.writeString(store.file(), "{\"format\": 1, \"rules\": [");
        assertThatThrownBy(store::load).hasMessageContaining("not valid JSON");
        Files.writeString(store.file(), "{\"format\": 7, \"rules\": []}");
        assertThatThrownBy(store::load).hasMessageContaining("format 7 is not 1");
    }
}

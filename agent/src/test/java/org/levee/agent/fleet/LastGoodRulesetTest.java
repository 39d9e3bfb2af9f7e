package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.store.ObjectRef;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;

/** The last good rule set on disk: kept whole, the previous object removed, every damage named. */
class LastGoodRulesetTest {
    @TempDir
    Path state;

    static byte[] object(int seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static RulesetManifest manifest(long version, byte[] object) {
        return new RulesetManifest(
                version,
                List.of("a", "b"),
                new ObjectRef(LastGoodRuleset.sha256(object), object.length, 1),
                Instant.parse("2026-12-07T06:00:00Z"),
                "ctl-a");
    }

    @Test
    void keepsTheLastSetAndOnlyItsObject() throws Exception {
        LastGoodRuleset lastGood = new LastGoodRuleset(state);
        assertThat(lastGood.load()).isEmpty();
        byte[] first = object(1, 5000);
        byte[] second = object(2, 7000);
        RulesetManifest m1 = manifest(1, first);
        lastGood.save(m1, RulesetManifestJson.encode(m1), first);
        RulesetManifest m2 = manifest(2, second);
        byte[] json2 = RulesetManifestJson.encode(m2);
        lastGood.save(m2, json2, second);

        LastGoodRuleset.Saved saved = new LastGoodRuleset(state).load().orElseThrow();
        assertThat(saved.manifest()).isEqualTo(m2);
        assertThat(saved.manifestJson()).isEqualTo(json2);
        assertThat(saved.object()).isEqualTo(second);
        try (var files = Files.list(state.resolve("fleet"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(m2.object().sha256() + ".o", "manifest.json");
        }
    }

    @Test
    void damageIsNamed() throws Exception {
        LastGoodRuleset lastGood = new LastGoodRuleset(state);
        byte[] object = object(3, 4096);
        RulesetManifest m = manifest(3, object);
        lastGood.save(m, RulesetManifestJson.encode(m), object);
        Path file = lastGood.objectFile(m.object().sha256());

        byte[] flipped = object.clone();
        flipped[100] ^= 1;
        Files.write(file, flipped);
        assertThatThrownBy(lastGood::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file + ": its SHA-256 is ")
                .hasMessageContaining("says " + m.object().sha256());

        Files.write(file, new byte[10]);
        assertThatThrownBy(lastGood::load).hasMessage(file + ": 10 bytes, " + lastGood.manifestFile() + " says 4096");

        Files.delete(file);
        assertThatThrownBy(lastGood::load)
                .hasMessageStartingWith(file + ": the object of " + lastGood.manifestFile() + " cannot be read");

        Files.writeString(lastGood.manifestFile(), "{\"version\": 0}");
        assertThatThrownBy(lastGood::load).hasMessageStartingWith("manifest at " + lastGood.manifestFile() + ": ");
    }
}

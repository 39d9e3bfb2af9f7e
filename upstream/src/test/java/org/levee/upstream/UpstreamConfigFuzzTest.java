package org.levee.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;
import org.levee.testing.fuzz.KeyPaths;
import org.levee.testing.fuzz.SeedFiles;

/**
 * Fuzzes the {@code upstream:} section of levee.yaml as {@link UpstreamConfigLoader#parse} reads
 * it: a bad section must be an {@link UpstreamConfigException} naming the file, in which every
 * problem starts with the line and column of the broken YAML or the key path of the wrong value
 * ({@code upstream.neighbours[0].peer_as: …}). Seeds: docs/operations.md's example and files under
 * {@code src/test/resources/org/levee/upstream/fuzz/}.
 */
@Tag("fuzz")
class UpstreamConfigFuzzTest {
    static final List<String> SEEDS = List.of("documented.yaml", "blackhole.yaml", "none.yaml", "absent.yaml");

    static final List<String> WORDS = List.of(
            "upstream:",
            "speaker:",
            "kind:",
            "gobgp",
            "exabgp",
            "api:",
            "command:",
            "as:",
            "router_id:",
            "neighbours:",
            "address:",
            "peer_as:",
            "link_bps:",
            "share:",
            "automatic:",
            "flowspec",
            "blackhole",
            "none",
            "flowspec:",
            "ratelimit_packet_bytes:",
            "ipv6_extension_headers:",
            "refuse",
            "widen",
            "blackhole:",
            "next_hop_ipv4:",
            "next_hop_ipv6:",
            "communities:",
            "no-export",
            "65535:666",
            "rules:",
            "sync_interval:",
            "4294967295",
            "4294967296",
            "0",
            "-1",
            "0.0",
            "1e308",
            "unix://",
            "192.0.2.1",
            "2001:db8::1",
            "true",
            "null",
            "~",
            "\n",
            "\n  ",
            "\n    - ",
            "{",
            "}",
            "[",
            "]",
            ": ",
            "&a ",
            "*a",
            "---",
            "'",
            "\"",
            "#");

    static List<String> seeds() {
        return SeedFiles.texts(
                UpstreamConfigFuzzTest.class,
                SEEDS.stream().map(n -> "fuzz/" + n).toArray(String[]::new));
    }

    static void load(String text) {
        try {
            UpstreamConfigLoader.parse("fuzz.yaml", text);
        } catch (UpstreamConfigException e) {
            throw KeyPaths.requirePlaced(e, e.problems());
        }
    }

    @Test
    void upstreamSections() {
        FuzzRunner.run(FuzzFamily.text("upstream configuration")
                        .seeds(seeds())
                        .dictionary(WORDS)
                        .target(UpstreamConfigFuzzTest::load)
                        .rejects(UpstreamConfigException.class, "^fuzz\\.yaml: \\S")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void theSeedsAreRead() {
        List<String> seeds = seeds();
        UpstreamConfig documented =
                UpstreamConfigLoader.parse("d.yaml", seeds.get(0)).orElseThrow();
        UpstreamConfig blackhole =
                UpstreamConfigLoader.parse("b.yaml", seeds.get(1)).orElseThrow();
        assertThat(documented).isNotEqualTo(blackhole);
        assertThat(blackhole.neighbours()).hasSize(2);
        assertThat(UpstreamConfigLoader.parse("n.yaml", seeds.get(2))).isPresent();
        assertThat(UpstreamConfigLoader.parse("a.yaml", seeds.get(3))).isEmpty();
    }
}

package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.detector.DetectorConfig;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;
import org.levee.testing.fuzz.KeyPaths;
import org.levee.testing.fuzz.SeedFiles;

/**
 * Fuzzes the config module's shared parts as the agent's and controller's loaders use them: the
 * YAML reading of {@link ConfigReader#parseYaml}, its typed reads, and the {@code detector:} and
 * {@code etcd:} sections ({@link DetectorSection}, {@link EtcdSection}). A bad file must be a
 * {@link ConfigException} naming the file, in which every problem starts with the line and column
 * of the broken YAML or the key path of the wrong value. Seeds: files under
 * {@code src/test/resources/org/levee/config/fuzz/}.
 */
@Tag("fuzz")
class ConfigSectionsFuzzTest {
    static final List<String> WORDS = List.of(
            "detector:",
            "etcd:",
            "host_thresholds:",
            "aggregate_thresholds:",
            "all:",
            "tcp_syn:",
            "tcp_other:",
            "udp:",
            "icmp:",
            "fragment:",
            "other:",
            "pps:",
            "bps:",
            "none",
            "baseline_multiple:",
            "baseline_floor_pps:",
            "baseline_warmup:",
            "cooldown:",
            "end_fraction:",
            "min_fingerprint_samples:",
            "max_fingerprint_delay:",
            "coverage_target:",
            "max_baseline_match:",
            "endpoints:",
            "ca:",
            "cert:",
            "key:",
            "user:",
            "password:",
            "request_timeout:",
            "true",
            "null",
            "~",
            "0s",
            "1h",
            "500ms",
            "9223372036854775807s",
            "1e308",
            "NaN",
            ".inf",
            "-.inf",
            "0x10",
            "http://",
            "https://",
            "[::1]:2379",
            "\n",
            "\n  ",
            "- ",
            "{",
            "}",
            "[",
            "]",
            ": ",
            "&a ",
            "*a",
            "---",
            "|",
            "'",
            "\"",
            "#",
            "\0");

    static List<String> seeds() {
        return SeedFiles.texts(ConfigSectionsFuzzTest.class, "fuzz/sections.yaml", "fuzz/small.yaml");
    }

    /** A file of the two sections, read as the loaders read them. */
    static DetectorConfig load(String text) {
        try {
            JsonNode root = ConfigReader.parseYaml("fuzz.yaml", text);
            ConfigReader reader = new ConfigReader();
            DetectorConfig detector = DetectorConfig.defaults();
            if (root != null && !root.isMissingNode() && reader.mapping(root, "", Set.of("detector", "etcd"))) {
                detector = DetectorSection.read(reader, root.get("detector"), "detector", detector);
                EtcdSection.read(reader, root.get("etcd"), "etcd");
            }
            reader.throwIfProblems("fuzz.yaml");
            return detector;
        } catch (ConfigException e) {
            throw KeyPaths.requirePlaced(e, e.problems());
        }
    }

    @Test
    void detectorAndEtcdSections() {
        FuzzRunner.run(FuzzFamily.text("config sections (detector, etcd)")
                        .seeds(seeds())
                        .dictionary(WORDS)
                        .target(ConfigSectionsFuzzTest::load)
                        .rejects(ConfigException.class, "^fuzz\\.yaml: \\S")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void theSeedsAreRead() {
        assertThat(load(seeds().get(1))).isNotEqualTo(DetectorConfig.defaults());
        load(seeds().get(0));
    }
}

package org.levee.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.testing.PrivateNetwork;
import org.levee.config.ConfigException;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;
import org.levee.testing.fuzz.KeyPaths;
import org.levee.testing.fuzz.SeedFiles;

/**
 * Fuzzes a controller's configuration file as it reads it ({@link ControllerConfigLoader#parse}):
 * a bad file must be a {@link ConfigException} naming the file, in which every problem starts with
 * the line and column of the broken YAML or the key path of the wrong value. Seeds: docs/fleet.md's
 * example and files under {@code src/test/resources/org/levee/controller/config/fuzz/} that give
 * every key a value other than its default.
 */
@Tag("fuzz")
class ControllerConfigFuzzTest {
    static final List<String> SEEDS =
            List.of("documented.yaml", "every-key.yaml", "small.yaml", "empty.yaml", "sections.yaml");

    static final List<String> WORDS = List.of(
            "name:",
            "prefix:",
            "etcd:",
            "endpoints:",
            "ca:",
            "cert:",
            "key:",
            "user:",
            "password:",
            "request_timeout:",
            "sflow:",
            "listen:",
            "api:",
            "address:",
            "sflow_agents:",
            "detector:",
            "host_thresholds:",
            "aggregate_thresholds:",
            "udp:",
            "pps:",
            "bps:",
            "none",
            "cooldown:",
            "end_fraction:",
            "leader_ttl:",
            "object_grace:",
            "true",
            "false",
            "null",
            "~",
            "0s",
            "61s",
            "1500ms",
            "192.0.2.1",
            "::",
            "2001:db8::1",
            "[::1]:0",
            ":65536",
            "http://",
            "https://",
            "/levee/",
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
            "'",
            "\"",
            "#",
            "\0");

    @BeforeAll
    static void requirements() {
        Requirements.root(); // for the network namespace host names are resolved in
    }

    static List<String> seeds() {
        return SeedFiles.texts(
                ControllerConfigFuzzTest.class,
                SEEDS.stream().map(n -> "fuzz/" + n).toArray(String[]::new));
    }

    static ControllerConfig load(String text) {
        // Host names are allowed in addresses (api.address, the collectors) and resolved while reading:
        // fuzzed ones must fail at once, in a network of their own, instead of asking a DNS server.
        PrivateNetwork.enter();
        try {
            return ControllerConfigLoader.parse("fuzz.yaml", text);
        } catch (ConfigException e) {
            throw KeyPaths.requirePlaced(e, e.problems());
        }
    }

    @Test
    void controllerConfigurationFiles() {
        FuzzRunner.run(FuzzFamily.text("controller configuration")
                        .seeds(seeds())
                        .dictionary(WORDS)
                        .target(ControllerConfigFuzzTest::load)
                        .rejects(ConfigException.class, "^fuzz\\.yaml: \\S")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void theSeedsChangeEveryDefault() {
        ControllerConfig[] read = new ControllerConfig[2];
        PrivateNetwork.run(() -> {
            seeds().forEach(ControllerConfigFuzzTest::load);
            read[0] = load(seeds().get(0));
            read[1] = load(seeds().get(1));
        });
        ControllerConfig documented = read[0];
        ControllerConfig every = read[1];
        ControllerConfig d = ControllerConfig.defaults();
        assertThat(documented.etcd().ca()).isPresent();
        assertThat(documented.etcd().cert()).isPresent();
        assertThat(documented.etcd().key()).isPresent();
        assertThat(every.name()).isNotEqualTo(d.name());
        assertThat(every.keys()).isNotEqualTo(d.keys());
        assertThat(every.etcd().requestTimeout()).isPresent();
        assertThat(every.sflowListen()).isNotEqualTo(d.sflowListen());
        assertThat(every.apiAddress()).isNotEqualTo(d.apiAddress());
        assertThat(every.sflowAgents()).hasSize(3);
        assertThat(every.detector()).isNotEqualTo(d.detector());
        assertThat(every.leaderTtl()).isNotEqualTo(d.leaderTtl());
        assertThat(every.objectGrace()).isNotEqualTo(d.objectGrace());
    }
}

package org.levee.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * Fuzzes {@code levee.yaml} as the agent reads it ({@link ConfigLoader#parse}): a bad file must be a
 * {@link ConfigException} naming the file, in which every problem starts with the line and column
 * of the broken YAML or with the key path of the wrong value. Seeds: both examples of
 * docs/configuration.md and files under {@code src/test/resources/org/levee/agent/config/fuzz/}
 * that give every key a value other than its default.
 */
@Tag("fuzz")
class ConfigFuzzTest {
    static final List<String> SEEDS = List.of(
            "documented.yaml", "documented-edge.yaml", "every-key.yaml", "small.yaml", "empty.yaml", "sections.yaml");

    static final List<String> WORDS = List.of(
            "datacenter:",
            "node:",
            "state_dir:",
            "api:",
            "address:",
            "sampling:",
            "target_per_second:",
            "rate:",
            "max_rate:",
            "detector:",
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
            "restored_auto_rule_grace:",
            "detach_on_exit:",
            "fleet:",
            "etcd:",
            "endpoints:",
            "ca:",
            "cert:",
            "key:",
            "user:",
            "password:",
            "password_file:",
            "prefix:",
            "sflow:",
            "collectors:",
            "counter_interval:",
            "registration_ttl:",
            "report_interval:",
            "true",
            "false",
            "null",
            "~",
            "0s",
            "1h",
            "500ms",
            "9223372036854775807s",
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
            "|",
            "'",
            "\"",
            "#",
            "\0",
            "guard:",
            "protected:",
            "protect_defaults:",
            "max_legitimate_share:",
            "notifications:",
            "command:",
            "webhooks:",
            "url:",
            "headers:",
            "events:",
            "queue:",
            "upstream:",
            "speaker:",
            "neighbours:",
            "link_bps:",
            "share:",
            "automatic:",
            "flowspec",
            "blackhole",
            "token_file:",
            "tls_cert:",
            "tls_key:",
            "trusted_keys:");

    @BeforeAll
    static void requirements() {
        Requirements.root(); // for the network namespace host names are resolved in
    }

    static List<String> seeds() {
        return SeedFiles.texts(
                ConfigFuzzTest.class, SEEDS.stream().map(name -> "fuzz/" + name).toArray(String[]::new));
    }

    static AgentConfig load(String text) {
        // Host names are allowed in addresses (api.address, the collectors) and resolved while reading:
        // fuzzed ones must fail at once, in a network of their own, instead of asking a DNS server.
        PrivateNetwork.enter();
        try {
            return ConfigLoader.parse("fuzz.yaml", text);
        } catch (ConfigException e) {
            throw KeyPaths.requirePlaced(e, e.problems());
        }
    }

    @Test
    void agentConfigurationFiles() {
        FuzzRunner.run(FuzzFamily.text("agent configuration (levee.yaml)")
                        .seeds(seeds())
                        .dictionary(WORDS)
                        .target(ConfigFuzzTest::load)
                        .rejects(ConfigException.class, "^fuzz\\.yaml: \\S")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void theSeedsChangeEveryDefault() {
        AgentConfig[] read = new AgentConfig[1];
        PrivateNetwork.run(() -> {
            seeds().forEach(ConfigFuzzTest::load);
            read[0] = load(seeds().get(2));
        });
        AgentConfig every = read[0];
        AgentConfig d = AgentConfig.defaults();
        assertThat(every.datacenter()).isNotEqualTo(d.datacenter());
        assertThat(every.node()).isNotEqualTo(d.node());
        assertThat(every.stateDir()).isNotEqualTo(d.stateDir());
        assertThat(every.apiAddress()).isNotEqualTo(d.apiAddress());
        assertThat(every.sampling()).isNotEqualTo(d.sampling());
        assertThat(every.detector()).isNotEqualTo(d.detector());
        assertThat(every.restoredAutoRuleGrace()).isNotEqualTo(d.restoredAutoRuleGrace());
        assertThat(every.detachOnExit()).isNotEqualTo(d.detachOnExit());
        assertThat(every.fleet()).isNotEqualTo(d.fleet());
    }

    // Crashes found by the family above, with their minimized inputs.

    @Test
    void aNulInAFileNameIsAProblemOfItsKey() {
        // Was: Path.of's InvalidPathException.
        assertThatThrownBy(() -> PrivateNetwork.run(() -> load("state_dir: \"/var/lib/\\0levee\"\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("fuzz.yaml: state_dir: '/var/lib/\0levee' is not a file name: ");
        assertThatThrownBy(() -> PrivateNetwork.run(
                        () -> load("fleet: {etcd: {endpoints: [http://127.0.0.1:2379], ca: \"\\0\"}}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("fleet.etcd.ca: ");
    }
}

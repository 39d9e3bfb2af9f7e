package org.levee.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.config.ConfigException;
import org.levee.detector.DetectorConfig;
import org.levee.detector.Threshold;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.UpstreamMode;
import org.levee.upstream.UpstreamConfig;

class ConfigLoaderTest {

    @Test
    void anEmptyFileIsAllDefaults() {
        AgentConfig c = ConfigLoader.parse("levee.yaml", "");
        AgentConfig d = AgentConfig.defaults();
        assertThat(c.datacenter()).isEmpty();
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/levee"));
        assertThat(c.apiAddress().getPort()).isEqualTo(9276);
        assertThat(c.apiAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(c.sampling()).isEqualTo(d.sampling());
        assertThat(c.detector()).isEqualTo(DetectorConfig.defaults());
        assertThat(c.detachOnExit()).isFalse();
    }

    @Test
    void theApiSectionIsRead(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "x");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        AgentConfig c = ConfigLoader.parse(
                "levee.yaml",
                "api: {address: '[::]:9276', token_file: " + token + ", tls_cert: " + cert + ", tls_key: " + key
                        + "}\n");
        assertThat(c.api().tokenFile()).contains(token);
        assertThat(c.api().tlsCert()).contains(cert);
        assertThat(c.api().tlsKey()).contains(key);
        assertThat(c.api().loopback()).isFalse();
        assertThat(c.api().tls()).isTrue();
        assertThat(AgentConfig.defaults().api().tokenFile(AgentConfig.defaults().stateDir()))
                .isEqualTo(Path.of("/var/lib/levee/api-token"));
        assertThatThrownBy(() -> ConfigLoader.parse("levee.yaml", "api: {tls_key: " + key + "}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "levee.yaml: api.tls_cert: TLS needs both tls_cert (the certificate chain) and tls_key (its PKCS#8 key)");
    }

    @Test
    void readsEveryKey() {
        AgentConfig c = ConfigLoader.parse("levee.yaml", """
                datacenter: ams1
                node: edge-7
                state_dir: /tmp/levee-state
                api:
                  address: 127.0.0.1:0
                sampling:
                  rate: 64
                  max_rate: 4096
                restored_auto_rule_grace: 2m
                detach_on_exit: true
                detector:
                  host_thresholds:
                    udp: {pps: 1000, bps: none}
                  aggregate_thresholds:
                    tcp_syn: {pps: 5000}
                  baseline_multiple: 4
                  baseline_floor_pps: 500
                  baseline_warmup: 10s
                  cooldown: 5s
                  end_fraction: 0.25
                  min_fingerprint_samples: 32
                  max_fingerprint_delay: 1s
                  coverage_target: 0.9
                  max_baseline_match: 0.05
                  max_tracked_destinations: 20000
                  idle_forget_after: 2m
                """);
        assertThat(c.datacenter()).isEqualTo("ams1");
        assertThat(c.node()).isEqualTo("edge-7");
        assertThat(c.stateDir()).isEqualTo(Path.of("/tmp/levee-state"));
        assertThat(c.apiAddress().getPort()).isZero();
        assertThat(c.sampling()).isEqualTo(new Sampling(0, 64, 4096));
        assertThat(c.restoredAutoRuleGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.detachOnExit()).isTrue();
        DetectorConfig d = c.detector();
        assertThat(d.hostThresholds().get(TrafficClass.UDP)).isEqualTo(new Threshold(1000, Long.MAX_VALUE));
        assertThat(d.hostThresholds().get(TrafficClass.ICMP))
                .isEqualTo(DetectorConfig.defaults().hostThresholds().get(TrafficClass.ICMP));
        assertThat(d.aggregateThresholds().get(TrafficClass.TCP_SYN).packetsPerSecond())
                .isEqualTo(5000);
        assertThat(d.baselineMultiple()).isEqualTo(4.0);
        assertThat(d.baselineFloorPacketsPerSecond()).isEqualTo(500);
        assertThat(d.baselineWarmupSeconds()).isEqualTo(10);
        assertThat(d.cooldown()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.endFraction()).isEqualTo(0.25);
        assertThat(d.minFingerprintSamples()).isEqualTo(32);
        assertThat(d.maxFingerprintDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.coverageTarget()).isEqualTo(0.9);
        assertThat(d.maxBaselineMatch()).isEqualTo(0.05);
        assertThat(d.maxTrackedDestinations()).isEqualTo(20_000);
        assertThat(d.idleForgetAfter()).isEqualTo(Duration.ofMinutes(2));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "datacentre: ams1|datacentre: unknown key",
                "api: {adress: '127.0.0.1:1'}|api.adress: unknown key",
                "detector: {host_thresholds: {udpp: {pps: 1}}}|detector.host_thresholds.udpp: unknown key",
                "detector: {host_thresholds: {udp: {ppss: 1}}}|detector.host_thresholds.udp.ppss: unknown key",
                "detector: {host_thresholds: {udp: {pps: -3}}}|detector.host_thresholds.udp.pps: must be a positive whole number",
                "detector: {cooldown: soon}|detector.cooldown: 'soon' is not a duration",
                "detector: {coverage_target: 2}|detector.coverage_target: must be a number in",
                "detector: {max_tracked_destinations: 15}|detector.max_tracked_destinations: must be a whole number in 16..2147483647, not '15'",
                "detector: {max_tracked_destinations: many}|detector.max_tracked_destinations: must be a whole number in 16..",
                "detector: {idle_forget_after: 9s}|detector.idle_forget_after: must be at least 10s, not 9s",
                "detector: {idle_forget_after: never}|detector.idle_forget_after: 'never' is not a duration",
                "api: {address: '127.0.0.1:99999'}|api.address: '127.0.0.1:99999': port '99999' is not in 0..65535",
                "api: {address: 'example.com:80'}|api.address: 'example.com:80': the host must be an IP address",
                "sampling: {rate: 10, target_per_second: 100}|sampling: give either target_per_second",
                "sampling: {rate: 0}|sampling.rate: must be a whole number in 1..",
                "detach_on_exit: maybe|detach_on_exit: must be true or false",
                "datacenter: 'ams 1'|datacenter: 'ams 1' is not a data center name",
                "sampling: 5|sampling: must be a mapping",
                "fleet: {etcd: {endpoint: 'x:1'}}|fleet.etcd.endpoint: unknown key (known here: ca, cert, endpoints, key, password, password_file, user)",
                "fleet: {etcd: {endpoints: 'http://a:1,,http://b:2'}}|fleet.etcd.endpoints: etcd endpoints 'http://a:1,,http://b:2': empty entry",
                "fleet: {etcd: {endpoints: 'ftp://127.0.0.1:2379'}}|fleet.etcd.endpoints: ",
                "fleet: {etcd: {password: a, password_file: /b}}|fleet.etcd: give either password or password_file, not both",
                "fleet: {prefix: levee}|fleet.prefix: etcd prefix 'levee' must start and end with '/'",
                "fleet: {sflow: {collectors: '192.0.2.1:99999'}}|fleet.sflow.collectors: sFlow address '192.0.2.1:99999': port '99999' is not a number in 1..65535",
                "fleet: {sflow: {collectors: []}}|fleet.sflow.collectors: must not be empty",
                "fleet: {sflow: {counter_interval: 500ms}}|fleet.sflow.counter_interval: must be at least 1s",
                "fleet: {registration_ttl: 30s}|fleet.registration_ttl: must be whole seconds in 1s..10s, not 30s",
                "fleet: {registration_ttl: 1500ms}|fleet.registration_ttl: must be whole seconds in 1s..10s",
                "fleet: {report_interval: 0s}|fleet.report_interval: must be at least 1s",
                "fleet: {sflows: {}}|fleet.sflows: unknown key",
                "fleet: {trusted_keys: /etc/levee/signing.pub}|fleet.trusted_keys: must be a list of public key files (PEM), like [/etc/levee/signing.pub]",
                "fleet: {trusted_keys: [/etc/levee/signing.pub, 7]}|fleet.trusted_keys[1]: must be the path of a public key file (PEM), got 7",
                "upstream: {speakr: {}}|upstream.speakr: unknown key",
                "upstream: {speaker: {kind: gobgp, as: 64512, router_id: 192.0.2.1}, neighbours: [{address: 192.0.2.2, peer_as: 0}]}"
                        + "|upstream.neighbours[0].peer_as: must be a whole number in 1..4294967295, not '0'",
                "upstream: {speaker: {kind: gobgp, as: 64512, router_id: 192.0.2.1}, neighbours: [{address: 192.0.2.2, peer_as: 1}],"
                        + " automatic: flowspec}|upstream.automatic: needs link_bps",
                "upstream: {speaker: {kind: gobgp, as: 64512, router_id: 192.0.2.1}, neighbours: [{address: 192.0.2.2, peer_as: 1}],"
                        + " link_bps: 1000, automatic: [flowspec, flowspec]}|upstream.automatic[1]: flowspec is listed twice",
                "{upstream: {speaker: {kind: gobgp, as: 64512, router_id: 192.0.2.1}, neighbours: [{address: 192.0.2.2, peer_as: 1}]},"
                        + " fleet: {etcd: {endpoints: 'http://127.0.0.1:2379'}}}|upstream: an edge of the fleet does not announce",
            })
    void aBadKeyOrValueIsReportedWithItsPath(String yaml, String expected) {
        assertThatThrownBy(() -> ConfigLoader.parse("levee.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("levee.yaml: ")
                .hasMessageContaining(expected);
    }

    @Test
    void readsTheFleetKeys() {
        AgentConfig c = ConfigLoader.parse("levee.yaml", """
                datacenter: ams1
                fleet:
                  etcd:
                    endpoints: [https://198.18.200.2:2379, https://198.18.200.3:2379]
                    ca: /etc/levee/etcd-ca.pem
                    cert: /etc/levee/edge.pem
                    key: /etc/levee/edge-key.pem
                    user: levee
                    password_file: /etc/levee/etcd-password
                  prefix: /prod/levee/
                  sflow:
                    collectors: "198.18.200.20, 198.18.200.21:6400"
                    counter_interval: 20s
                  registration_ttl: 5s
                  report_interval: 2s
                  trusted_keys: [/etc/levee/signing.pub, /etc/levee/signing-2027.pub]
                """);
        FleetConfig f = c.fleet();
        assertThat(f.enabled()).isTrue();
        assertThat(f.etcdEndpoints()).hasValue("https://198.18.200.2:2379,https://198.18.200.3:2379");
        assertThat(f.etcdCa()).hasValue(Path.of("/etc/levee/etcd-ca.pem"));
        assertThat(f.etcdCert()).hasValue(Path.of("/etc/levee/edge.pem"));
        assertThat(f.etcdKey()).hasValue(Path.of("/etc/levee/edge-key.pem"));
        assertThat(f.etcdUser()).hasValue("levee");
        assertThat(f.etcdPassword()).isEmpty();
        assertThat(f.etcdPasswordFile()).hasValue(Path.of("/etc/levee/etcd-password"));
        assertThat(f.keys().prefix()).isEqualTo("/prod/levee/");
        assertThat(f.collectors())
                .extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                .containsExactly("198.18.200.20:6343", "198.18.200.21:6400");
        assertThat(f.counterInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(f.registrationTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.reportInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(f.trustedKeys())
                .containsExactly(Path.of("/etc/levee/signing.pub"), Path.of("/etc/levee/signing-2027.pub"));
        assertThat(FleetConfig.none().trustedKeys())
                .as("no keys by default: unsigned sets are accepted")
                .isEmpty();
        assertThat(AgentConfig.defaults().fleet().enabled())
                .as("no etcd: a single node")
                .isFalse();
    }

    @Test
    void readsTheUpstreamSection() {
        AgentConfig c = ConfigLoader.parse("levee.yaml", """
                upstream:
                  speaker: {kind: gobgp, api: "unix:///run/gobgpd/api.sock", as: 64512, router_id: 192.0.2.1}
                  neighbours: [{address: 192.0.2.2, peer_as: 64496}]
                  link_bps: 10000000000
                  share: 0.5
                  automatic: [flowspec, blackhole]
                """);
        UpstreamConfig u = c.upstream().orElseThrow();
        assertThat(u.speaker().api()).isEqualTo("unix:///run/gobgpd/api.sock");
        assertThat(u.neighbours()).extracting(UpstreamConfig.Neighbour::peerAs).containsExactly(64496L);
        assertThat(u.linkBitsPerSecond()).isEqualTo(10_000_000_000L);
        assertThat(u.share()).isEqualTo(0.5);
        assertThat(u.automatic()).containsExactly(UpstreamMode.FLOWSPEC, UpstreamMode.BLACKHOLE);
        assertThat(AgentConfig.defaults().upstream())
                .as("nothing goes upstream by default")
                .isEmpty();
    }

    @Test
    void readsTheNotificationsSection() {
        AgentConfig c = ConfigLoader.parse(
                "levee.yaml",
                "notifications:\n  command: [/usr/local/bin/page, netops]\n"
                        + "  webhooks: [{url: 'https://hooks.example.com/T0/SECRET', retries: 1}]\n");
        assertThat(c.notifications().command()).containsExactly("/usr/local/bin/page", "netops");
        assertThat(c.notifications().webhooks()).hasSize(1);
        assertThat(c.notifications().webhooks().getFirst().retries()).contains(1);
        assertThat(AgentConfig.defaults().notifications().enabled()).isFalse();
        assertThatThrownBy(() ->
                        ConfigLoader.parse("x.yaml", "notifications:\n  webhooks: [{url: 'mailto:ops@example.com'}]\n"))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(p -> assertThat(p).startsWith("notifications.webhooks[0].url: ")));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ConfigLoader.parse("x.yaml", "nodes: a\nsampling: {rates: 3}\n"))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(p -> assertThat(p).startsWith("nodes: unknown key"))
                                .anySatisfy(p -> assertThat(p).startsWith("sampling.rates: unknown key")));
    }

    @Test
    void aYamlSyntaxErrorNamesTheLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("levee.yaml", "datacenter: ams1\napi: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML at line");
    }

    /** The upstream section documented in docs/operations.md must stay valid, every key spelled out. */
    @Test
    void theUpstreamExampleInTheOperationsGuideIsValid() throws IOException {
        Path doc = Path.of(System.getenv().getOrDefault("LEVEE_REPO", ".."), "docs", "operations.md");
        Matcher m =
                Pattern.compile("```yaml\\n(upstream:.*?)```", Pattern.DOTALL).matcher(Files.readString(doc));
        assertThat(m.find()).as("an upstream: yaml block in " + doc).isTrue();
        UpstreamConfig u =
                ConfigLoader.parse(doc.toString(), m.group(1)).upstream().orElseThrow();
        assertThat(u.neighbours()).isNotEmpty();
        assertThat(u.automatic()).isNotEmpty();
        assertThat(u.nextHopIpv6()).isPresent();
    }

    /** The documented example must stay a valid configuration. */
    @Test
    void theExampleInTheDocumentationIsValid() throws IOException {
        Path doc = Path.of(System.getenv().getOrDefault("LEVEE_REPO", ".."), "docs", "configuration.md");
        String text = Files.readString(doc);
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertThat(m.find()).as("a yaml block in " + doc).isTrue();
        AgentConfig c = ConfigLoader.parse(doc.toString(), m.group(1));
        // The example spells out the defaults: it must equal them.
        assertThat(c.detector()).isEqualTo(DetectorConfig.defaults());
        assertThat(c.sampling()).isEqualTo(AgentConfig.defaults().sampling());
        assertThat(c.restoredAutoRuleGrace()).isEqualTo(AgentConfig.DEFAULT_RESTORED_AUTO_RULE_GRACE);
        assertThat(c.fleet()).as("the defaults: a single node").isEqualTo(FleetConfig.none());
        // the second block: an edge of the fleet
        assertThat(m.find()).as("a second yaml block (an edge) in " + doc).isTrue();
        AgentConfig edge = ConfigLoader.parse(doc.toString(), m.group(1));
        assertThat(edge.fleet().enabled()).isTrue();
        assertThat(edge.fleet().collectors()).isNotEmpty();
        assertThat(edge.upstream()).isEmpty();
        // the next agent block (the controllers' side of signing is a controller.yaml): upstream actions over BGP
        do {
            assertThat(m.find()).as("a third yaml block (upstream) in " + doc).isTrue();
        } while (m.group(1).startsWith("# controller.yaml"));
        AgentConfig upstream = ConfigLoader.parse(doc.toString(), m.group(1));
        assertThat(upstream.upstream()).hasValueSatisfying(u -> {
            assertThat(u.automatic()).containsExactly(UpstreamMode.FLOWSPEC, UpstreamMode.BLACKHOLE);
            assertThat(u.rules()).containsEntry("dns-amp", UpstreamMode.BLACKHOLE);
        });
    }

    @Test
    void theGuardProtectsTheApiEtcdAndSshBesidesWhatIsConfigured() {
        AgentConfig c = ConfigLoader.parse("levee.yaml", """
                api:
                  address: 192.0.2.5:9276
                fleet:
                  etcd:
                    endpoints: [http://192.0.2.20:2379, http://etcd.example:2379]
                guard:
                  protected: ['udp [2001:db8::53]:53']
                  max_legitimate_share: 0.5%
                """);
        assertThat(c.ruleGuard().endpoints())
                .extracting(Object::toString)
                .containsExactly(
                        "tcp 192.0.2.5:9276 (API)",
                        "tcp 192.0.2.20:2379 (etcd)",
                        "tcp *:2379 (etcd)",
                        "tcp *:22 (ssh)",
                        "udp [2001:db8::53]:53 (configured)");
        assertThat(c.ruleGuard().maxLegitimateShare()).isEqualTo(0.005);
        AgentConfig loopback = ConfigLoader.parse("levee.yaml", "guard:\n  protect_defaults: false\n");
        assertThat(loopback.ruleGuard().endpoints()).isEmpty();
        assertThat(ConfigLoader.parse("levee.yaml", "").ruleGuard().endpoints())
                .extracting(Object::toString)
                .containsExactly("tcp 127.0.0.1:9276 (API)", "tcp *:22 (ssh)");
        assertThatThrownBy(() -> ConfigLoader.parse("levee.yaml", "guard:\n  protected: ['tcp *:99999']\n"))
                .hasMessageContaining("guard.protected[0]: 'tcp *:99999': port '99999' is not a number in 1..65535");
    }
}

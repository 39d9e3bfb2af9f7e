package org.levee.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.config.ConfigException;
import org.levee.detector.sample.TrafficClass;

class ControllerConfigLoaderTest {

    @Test
    void anEmptyFileIsAllDefaults() {
        ControllerConfig c = ControllerConfigLoader.parse("c.yaml", "");
        assertThat(c.keys().prefix()).isEqualTo("/levee/");
        assertThat(c.sflowListen().getPort()).isEqualTo(6343);
        assertThat(c.apiAddress().getPort()).isEqualTo(9277);
        assertThat(c.apiAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(c.detector()).isEqualTo(ControllerConfig.DEFAULT_DETECTOR);
        assertThat(c.detector().minFingerprintSpan())
                .as("fingerprints from every edge's first samples")
                .isEqualTo(Duration.ofMillis(100));
        assertThat(c.leaderTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.objectGrace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.etcdEndpoints()).isEmpty();
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/levee-controller"));
        assertThat(c.api().tokenFile(c.stateDir())).isEqualTo(Path.of("/var/lib/levee-controller/api-token"));
        assertThat(c.api().tls()).isFalse();
    }

    @Test
    void theApiSectionAndTheStateDirectoryAreRead(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "x");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        ControllerConfig c = ControllerConfigLoader.parse(
                "c.yaml",
                "state_dir: " + dir.resolve("state") + "\napi: {address: '10.0.0.1:9277'," + " token_file: " + token
                        + ", tls_cert: " + cert + ", tls_key: " + key + "}\n");
        assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
        assertThat(c.api().tokenFile()).contains(token);
        assertThat(c.api().tlsCert()).contains(cert);
        assertThat(c.api().tlsKey()).contains(key);
        assertThat(c.api().loopback()).isFalse();
        assertThat(c.api().tls()).isTrue();
    }

    @Test
    void readsTheNotificationsSection() {
        ControllerConfig c = ControllerConfigLoader.parse(
                "c.yaml",
                "notifications:\n  webhooks: [http://127.0.0.1:8080/levee]\n"
                        + "  node_lost_after: 2m\n  events: [node_lost, ruleset_refused]\n");
        assertThat(c.notifications().webhooks()).hasSize(1);
        assertThat(c.notifications().nodeLostAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.notifications().wants(org.levee.notify.EventKind.NODE_LOST))
                .isTrue();
        assertThat(c.notifications().wants(org.levee.notify.EventKind.RULE_ADDED))
                .isFalse();
        assertThatThrownBy(() -> ControllerConfigLoader.parse("c.yaml", "notifications:\n  node_lost_after: soon\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("notifications.node_lost_after: ");
    }

    @Test
    void readsEveryKey() throws Exception {
        ControllerConfig c = ControllerConfigLoader.parse("c.yaml", """
                name: ctl-a
                prefix: /fleet/
                etcd:
                  endpoints: [http://10.0.0.1:2379, http://10.0.0.2:2379]
                  request_timeout: 2s
                sflow:
                  listen: 0.0.0.0:16343
                api:
                  address: 127.0.0.1:0
                sflow_agents:
                  192.0.2.1: ams1
                  "2001:db8::1": fra1
                leader_ttl: 5s
                object_grace: 1m
                signing:
                  key: /etc/levee/signing.key
                detector:
                  host_thresholds:
                    udp: {pps: 1000}
                  cooldown: 5s
                """);
        assertThat(c.name()).isEqualTo("ctl-a");
        assertThat(c.keys().prefix()).isEqualTo("/fleet/");
        assertThat(c.etcd().settings(Optional.empty()).endpointList())
                .isEqualTo("http://10.0.0.1:2379,http://10.0.0.2:2379");
        assertThat(c.etcd().settings(Optional.empty()).requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.sflowListen().getPort()).isEqualTo(16343);
        assertThat(c.apiAddress().getPort()).isZero();
        assertThat(c.sflowAgents())
                .containsEntry(InetAddress.getByName("192.0.2.1"), "ams1")
                .containsEntry(InetAddress.getByName("2001:db8::1"), "fra1");
        assertThat(c.leaderTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.objectGrace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.signingKey()).contains(java.nio.file.Path.of("/etc/levee/signing.key"));
        assertThat(ControllerConfig.defaults().signingKey())
                .as("unsigned by default")
                .isEmpty();
        assertThat(c.detector().hostThresholds().get(TrafficClass.UDP).packetsPerSecond())
                .isEqualTo(1000);
        assertThat(c.detector().cooldown()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            nmae: x                                  | nmae: unknown key
            name: 'ctl a'                            | name: 'ctl a' is not a controller name
            prefix: levee                            | prefix: etcd prefix 'levee' must start and end with '/'
            sflow: {listen: 'nowhere'}               | sflow.listen: 'nowhere' is not host:port
            api: {address: '127.0.0.1:70000'}        | api.address: '127.0.0.1:70000': port '70000' is not in 0..65535
            sflow_agents: {switch-1: ams1}           | sflow_agents.switch-1: 'switch-1' is not an IP address
            api: {token_file: /nonexistent/token}   | api.token_file: '/nonexistent/token' is not a readable file
            api: {tls_cert: /nonexistent/cert.pem}  | api.tls_key: TLS needs both tls_cert (the certificate chain) and tls_key
            api: {adress: 127.0.0.1:9277}            | api.adress: unknown key
            sflow_agents: {192.0.2.1: 'ams 1'}       | sflow_agents.192.0.2.1: 'ams 1' is not a data center name
            sflow_agents: [192.0.2.1]                | sflow_agents: must be a mapping
            leader_ttl: 500ms                        | leader_ttl: must be whole seconds in 1s..60s
            object_grace: later                      | object_grace: 'later' is not a duration
            etcd: {endpoints: 'http://a:1', user: u} | etcd: a user needs a password
            detector: {cooldown: soon}               | detector.cooldown: 'soon' is not a duration
            signing: {keys: /etc/levee/signing.key}  | signing.keys: unknown key (known here: key)
            signing: /etc/levee/signing.key          | signing: must be a mapping
            detector: {host_thresholds: {udp: {pps: 0}}} | detector.host_thresholds.udp.pps: must be a positive whole number
            """)
    void aBadKeyOrValueIsNamed(String yaml, String message) {
        assertThatThrownBy(() -> ControllerConfigLoader.parse("controller.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("controller.yaml: ")
                .hasMessageContaining(message);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ControllerConfigLoader.parse("c.yaml", "nmae: x\nleader_ttl: 0s\nsflow: {lsten: 1}\n"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.problems()).hasSize(3));
    }
}

package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtcdSettingsTest {

    @Test
    void endpointsParseAsEtcdctlTakesThem() {
        EtcdSettings s = EtcdSettings.of("10.0.0.1:2379, http://10.0.0.2:2379,http://etcd-3.example:2379");
        assertThat(s.endpoints())
                .containsExactly(
                        URI.create("http://10.0.0.1:2379"),
                        URI.create("http://10.0.0.2:2379"),
                        URI.create("http://etcd-3.example:2379"));
        assertThat(s.tls()).isFalse();
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(EtcdSettings.of("https://a:2379").tls()).isTrue();
    }

    @Test
    void badEndpointsAreRefusedNamingThem() {
        assertThatThrownBy(() -> EtcdSettings.of("a:2379,,b:2379"))
                .hasMessage("etcd endpoints 'a:2379,,b:2379': empty entry");
        assertThatThrownBy(() -> EtcdSettings.of("ftp://a:21"))
                .hasMessage(
                        "etcd endpoint 'ftp://a:21' must be http://HOST:PORT or https://HOST:PORT (a member's or a grpc-proxy's client URL)");
        assertThatThrownBy(() -> EtcdSettings.of("http://a")).hasMessageContaining("'http://a' must be");
        assertThatThrownBy(() -> EtcdSettings.of("http://a:2379/v3/kv"))
                .hasMessageContaining("'http://a:2379/v3/kv' must be");
        assertThatThrownBy(() -> EtcdSettings.of("http://a:2379,https://b:2379"))
                .hasMessage("etcd endpoints: all must use one scheme, got http and https (https://b:2379)");
        assertThatThrownBy(() -> EtcdSettings.of("a:2379").withTls(Path.of("/ca.pem"), null, null))
                .hasMessage("etcd: a CA, certificate or key needs https:// endpoints, got http://a:2379");
        assertThatThrownBy(() -> EtcdSettings.of("https://a:2379").withTls(null, Path.of("/c.pem"), null))
                .hasMessage("etcd: a client certificate needs its key and a key needs its certificate");
        assertThatThrownBy(() -> EtcdSettings.of("a:2379").withRequestTimeout(Duration.ZERO))
                .hasMessage("etcd: request timeout must be positive, got PT0S");
    }

    @Test
    void thePasswordIsNeverPrinted() {
        EtcdSettings s = EtcdSettings.of("https://a:2379")
                .withTls(Path.of("/etc/levee/ca.pem"), null, null)
                .withUser("levee", "s3cret");
        assertThat(s.toString())
                .contains("user=levee")
                .contains("ca=/etc/levee/ca.pem")
                .doesNotContain("s3cret");
        assertThatThrownBy(() -> EtcdSettings.of("a:2379").withUser("a:b", "x"))
                .hasMessage("etcd: user 'a:b' must be non-empty and without ':'");
    }
}

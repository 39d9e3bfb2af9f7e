package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.RecordingListener;
import org.levee.store.testing.TestCertificates;

/** etcd over TLS with client certificates: the client connects with a CA, a certificate and its key. */
class TlsTest {
    private static EtcdHarness etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.startTls(1);
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aClientWithTheCaAndACertificateReadsWritesAndWatches() {
        EtcdClient client = etcd.client();
        assertThat(client.settings().tls()).isTrue();
        client.put("/levee/tls/a", "1".getBytes(StandardCharsets.UTF_8));
        assertThat(etcd.etcdctl("get", "/levee/tls/a", "--print-value-only").strip())
                .isEqualTo("1");
        RecordingListener listener = new RecordingListener();
        try (PrefixWatch watch = PrefixWatch.startPrefix(client, "/levee/tls/", listener)) {
            client.put("/levee/tls/b", "2".getBytes(StandardCharsets.UTF_8));
            listener.awaitState(Map.of("/levee/tls/a", "1", "/levee/tls/b", "2"), Duration.ofSeconds(10));
            org.levee.store.testing.Eventually.await(
                    Duration.ofSeconds(10),
                    "the watch stream is up",
                    () -> watch.state().connected());
        }
        Lease lease = Lease.grant(client, Duration.ofSeconds(5));
        assertThat(lease.keepAlive()).isTrue();
    }

    @Test
    void withoutAClientCertificateOrTheRightCaTheClientIsRefused() {
        TestCertificates pki = etcd.certificates();
        EtcdSettings noCertificate = EtcdSettings.of(etcd.endpoints())
                .withTls(pki.ca(), null, null)
                .withRequestTimeout(Duration.ofSeconds(3));
        assertThatThrownBy(() -> etcd.client(noCertificate).get("/levee/tls/a"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("read /levee/tls/a")
                .hasMessageContaining("bad_certificate")
                .hasMessageContaining(etcd.endpoints());

        // The server's certificate is not signed by this CA: the client does not trust it.
        EtcdSettings wrongCa = EtcdSettings.of(etcd.endpoints())
                .withTls(pki.clientCert(), pki.clientCert(), pki.clientKey())
                .withRequestTimeout(Duration.ofSeconds(3));
        assertThatThrownBy(() -> etcd.client(wrongCa).get("/levee/tls/a"))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE))
                .hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void anUnreadableKeyIsNamedWhenConnecting() throws Exception {
        TestCertificates pki = etcd.certificates();
        Path notAKey = Files.writeString(
                pki.dir().resolve("not-a-key.pem"),
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        EtcdSettings settings = EtcdSettings.of(etcd.endpoints()).withTls(pki.ca(), pki.clientCert(), notAKey);
        assertThatThrownBy(() -> EtcdClient.connect(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client certificate and key " + pki.clientCert() + ", " + notAKey)
                .hasMessageContaining("PKCS#8");
    }
}

package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.store.testing.TestCertificates;

/** TLS contexts from PEM files made by openssl, checked with a real handshake on loopback. */
class PemTlsTest {

    @TempDir
    static Path dir;

    private static TestCertificates pki;

    @BeforeAll
    static void certificates() {
        pki = TestCertificates.create(dir);
    }

    /** One line sent by the client, echoed upper-case by the server, over a TLS connection on loopback. */
    private static String roundTrip(SSLContext server, SSLContext client) throws Exception {
        try (SSLServerSocket listening = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = Thread.ofPlatform().start(() -> {
                try (SSLSocket s = (SSLSocket) listening.accept();
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream()) {
                    byte[] line = in.readNBytes(5);
                    out.write(new String(line, StandardCharsets.US_ASCII)
                            .toUpperCase()
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the client's handshake failed: nothing to serve
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
                var parameters = s.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm(
                        "HTTPS"); // the certificate must name the peer (localhost)
                s.setSSLParameters(parameters);
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                return new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
            } finally {
                serving.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    @Test
    void aServerFromPemFilesIsTrustedByAClientOfItsCa() throws Exception {
        assertThat(roundTrip(PemTls.server(pki.serverCert(), pki.serverKey()), PemTls.trusting(pki.ca())))
                .isEqualTo("HELLO");
    }

    @Test
    void aClientOfAnotherCaRefusesTheServer() {
        // The client certificate is no CA of the server's: the chain cannot be built.
        assertThatThrownBy(() ->
                        roundTrip(PemTls.server(pki.serverCert(), pki.serverKey()), PemTls.trusting(pki.clientCert())))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void anRsaChainWithItsIntermediateWorks() throws Exception {
        Path rsa = Files.createDirectories(dir.resolve("rsa"));
        openssl(
                rsa,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "root-key.pem",
                "-out",
                "root.pem",
                "-subj",
                "/CN=root",
                "-days",
                "1");
        Files.writeString(rsa.resolve("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n");
        openssl(
                rsa,
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "mid-key.pem",
                "-out",
                "mid.csr",
                "-subj",
                "/CN=mid");
        openssl(
                rsa,
                "x509",
                "-req",
                "-in",
                "mid.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root-key.pem",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "ca.ext",
                "-out",
                "mid.pem");
        Files.writeString(rsa.resolve("leaf.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(
                rsa,
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "leaf-key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=leaf");
        openssl(
                rsa,
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "mid.pem",
                "-CAkey",
                "mid-key.pem",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "leaf.ext",
                "-out",
                "leaf.pem");
        Path chain = Files.writeString(
                rsa.resolve("chain.pem"),
                Files.readString(rsa.resolve("leaf.pem")) + Files.readString(rsa.resolve("mid.pem")));
        assertThat(PemTls.certificates(chain)).hasSize(2);
        assertThat(roundTrip(
                        PemTls.server(chain, rsa.resolve("leaf-key.pem")), PemTls.trusting(rsa.resolve("root.pem"))))
                .isEqualTo("HELLO");
    }

    @Test
    void anEd25519CertificateWorks() throws Exception {
        Path ed = Files.createDirectories(dir.resolve("ed25519"));
        openssl(
                ed,
                "req",
                "-x509",
                "-newkey",
                "ed25519",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-subj",
                "/CN=ed25519",
                "-days",
                "1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost");
        assertThat(roundTrip(
                        PemTls.server(ed.resolve("cert.pem"), ed.resolve("key.pem")),
                        PemTls.trusting(ed.resolve("cert.pem"))))
                .isEqualTo("HELLO");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsNamed() {
        assertThatThrownBy(() -> PemTls.server(pki.serverCert(), pki.clientKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(pki.clientKey() + ": not the private key of the certificate in " + pki.serverCert()
                        + " (CN=etcd)");
    }

    @Test
    void keysThatAreNotPlainPkcs8AreNamedWithTheCommandThatConvertsThem() throws Exception {
        Path sec1 = Files.createTempFile(dir, "sec1", ".pem");
        openssl(dir, "ec", "-in", pki.serverKey().toString(), "-out", sec1.toString());
        assertThat(Files.readString(sec1)).contains("-----BEGIN EC PRIVATE KEY-----");
        assertThatThrownBy(() -> PemTls.server(pki.serverCert(), sec1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(sec1 + ": the key is not PKCS#8: convert it (openssl pkcs8 -topk8 -nocrypt -in " + sec1
                        + " -out KEY.pem) (PKCS#8 PEM, -----BEGIN PRIVATE KEY----- expected)");
        Path encrypted = Files.createTempFile(dir, "encrypted", ".pem");
        openssl(
                dir,
                "pkcs8",
                "-topk8",
                "-in",
                pki.serverKey().toString(),
                "-out",
                encrypted.toString(),
                "-passout",
                "pass:secret");
        assertThatThrownBy(() -> PemTls.server(pki.serverCert(), encrypted))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(encrypted + ": the key is encrypted: decrypt it");
        assertThatThrownBy(() -> PemTls.server(pki.serverCert(), pki.serverCert()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(pki.serverCert() + ": no private key in it");
    }

    @Test
    void filesWithoutCertificatesAreNamed() throws Exception {
        assertThatThrownBy(() -> PemTls.server(pki.serverKey(), pki.serverKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(pki.serverKey() + ": no certificate in it (PEM, -----BEGIN CERTIFICATE----- expected)");
        Path broken = Files.writeString(
                dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemTls.trusting(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(broken + ": not a PEM certificate: ");
        assertThatThrownBy(() -> PemTls.trusting(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir.resolve("missing.pem") + ": no such file");
    }

    private static void openssl(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(in.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}

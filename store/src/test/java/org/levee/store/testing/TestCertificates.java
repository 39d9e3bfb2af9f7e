package org.levee.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.levee.testing.Requirements;

/**
 * A throw-away PKI made with openssl for TLS tests: a CA, a server certificate for 127.0.0.1 and
 * localhost, a client certificate, their keys in PKCS#8 PEM (EC P-256).
 *
 * @param dir where the files are
 */
public record TestCertificates(Path dir) {

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    public Path clientCert() {
        return dir.resolve("client.pem");
    }

    public Path clientKey() {
        return dir.resolve("client-key.pem");
    }

    /** Writes a new CA, server and client certificates into {@code dir}. */
    public static TestCertificates create(Path dir) {
        Requirements.command("openssl");
        TestCertificates c = new TestCertificates(dir);
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca-key.pem");
        openssl(
                dir,
                "req",
                "-x509",
                "-new",
                "-key",
                "ca-key.pem",
                "-subj",
                "/CN=levee test CA",
                "-days",
                "2",
                "-out",
                "ca.pem");
        issue(
                dir,
                "server",
                "/CN=etcd",
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth");
        issue(dir, "client", "/CN=levee", "extendedKeyUsage=clientAuth");
        return c;
    }

    private static void issue(Path dir, String name, String subject, String extensions) {
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + "-key.pem");
        openssl(dir, "req", "-new", "-key", name + "-key.pem", "-subj", subject, "-out", name + ".csr");
        try {
            java.nio.file.Files.writeString(dir.resolve(name + ".ext"), extensions + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                name + ".ext",
                "-out",
                name + ".pem");
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running openssl", e);
        }
    }
}

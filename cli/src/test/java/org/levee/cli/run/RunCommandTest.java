package org.levee.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;

/** {@code levee run} refuses bad input before touching any interface. */
@Tag("kernel")
class RunCommandTest {

    @TempDir
    Path dir;

    @Test
    void aBadConfigIsReportedWithTheKeyPath() throws Exception {
        Path config = dir.resolve("levee.yaml");
        Files.writeString(config, "detector:\n  host_thresholds:\n    udp: {ppss: 5}\n");
        CliRun r = CliRun.of("run", "-i", "lo", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("levee run: " + config
                        + ": detector.host_thresholds.udp.ppss: unknown key (known here: bps, pps)\n");
    }

    @Test
    void badFlagsAreNamed() {
        CliRun both = CliRun.of("run", "-i", "lo", "--sample-rate", "10", "--samples-per-second", "100");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("either --sample-rate or --samples-per-second");
        CliRun api = CliRun.of("run", "-i", "lo", "--api", "localhost");
        assertThat(api.exitCode()).isEqualTo(2);
        assertThat(api.err()).contains("--api: 'localhost' is not host:port");
        CliRun dc = CliRun.of("run", "-i", "lo", "--datacenter", "a b");
        assertThat(dc.exitCode()).isEqualTo(2);
        assertThat(dc.err()).contains("--datacenter 'a b' is not a data center name");
        CliRun open = CliRun.of("run", "-i", "lo", "--api", "0.0.0.0:9276", "--state-dir", dir.toString());
        assertThat(open.exitCode()).isEqualTo(2);
        assertThat(open.err())
                .isEqualTo("levee run: the API would listen on 0.0.0.0:9276, which is not a loopback address,"
                        + " without TLS: give --api-cert FILE and --api-key FILE (or api.tls_cert and api.tls_key in the configuration),"
                        + " or listen on 127.0.0.1\n");
        assertThat(dir.resolve("api-token"))
                .as("refused before the token is written")
                .doesNotExist();
        CliRun half = CliRun.of("run", "-i", "lo", "--api-key", "key.pem");
        assertThat(half.exitCode()).isEqualTo(2);
        assertThat(half.err()).startsWith("levee run: --api-cert and --api-key go together");
        CliRun missing = CliRun.of("run");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--interface");
    }

    @Test
    void badFleetFlagsAreOneLineWithExitCode2() {
        String etcd = "http://127.0.0.1:1";
        String state = dir.toString();
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--sflow", "127.0.0.1"),
                "levee run: --sflow, --prefix, --etcd-… and --trust-key are for an edge of the fleet: give --etcd URLS too");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--trust-key", "/etc/levee/signing.pub"),
                "levee run: --sflow, --prefix, --etcd-… and --trust-key are for an edge of the fleet: give --etcd URLS too");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--etcd", "ftp://127.0.0.1:2379", "--sflow", "127.0.0.1"),
                "levee run: --etcd: ");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--etcd", etcd, "--sflow", "127.0.0.1:99999"),
                "levee run: --sflow: sFlow address '127.0.0.1:99999': port '99999' is not a number in 1..65535");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--etcd", etcd, "--sflow", "127.0.0.1", "--prefix", "levee"),
                "levee run: --prefix: etcd prefix 'levee' must start and end with '/'");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--etcd", etcd, "--datacenter", "ams", "--state-dir", state),
                "levee run: edge: fleet.sflow.collectors (--sflow): an edge sends its samples to the controllers' collectors");
        assertOneLine(
                CliRun.of("run", "-i", "lo", "--etcd", etcd, "--sflow", "127.0.0.1", "--state-dir", state),
                "levee run: edge: datacenter (--datacenter): an edge of the fleet needs its data center");
        assertOneLine(
                CliRun.of(
                        "run",
                        "-i",
                        "lo",
                        "--etcd",
                        etcd,
                        "--sflow",
                        "127.0.0.1",
                        "--datacenter",
                        "ams",
                        "--node",
                        "a/b"),
                "levee run: edge: node (--node): 'a/b' is not a node name");
        assertOneLine(
                CliRun.of(
                        "run",
                        "-i",
                        "lo",
                        "--etcd",
                        etcd,
                        "--sflow",
                        "127.0.0.1",
                        "--datacenter",
                        "ams",
                        "--etcd-user",
                        "levee"),
                "levee run: edge: fleet.etcd (--etcd…): a user (--etcd-user) needs a password");
        assertOneLine(
                CliRun.of(
                        "run",
                        "-i",
                        "lo",
                        "--etcd",
                        "https://127.0.0.1:1",
                        "--sflow",
                        "127.0.0.1",
                        "--datacenter",
                        "ams",
                        "--etcd-ca",
                        dir.resolve("missing-ca.pem").toString()),
                "levee run: edge: " + dir.resolve("missing-ca.pem") + ": cannot be read");
    }

    @Test
    void badTrustedKeysAreOneLineNamingTheFlagAndTheFile() throws Exception {
        String[] edge = {
            "run",
            "-i",
            "lo",
            "--etcd",
            "http://127.0.0.1:1",
            "--sflow",
            "127.0.0.1",
            "--datacenter",
            "ams",
            "--state-dir",
            dir.toString()
        };
        Path missing = dir.resolve("missing.pub");
        assertOneLine(
                CliRun.of(with(edge, "--trust-key", missing.toString())),
                "levee run: edge: fleet.trusted_keys (--trust-key): " + missing + ": does not exist");
        CliRun generated =
                CliRun.of("keys", "generate", "--out", dir.resolve("keys").toString());
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        Path privateKey = dir.resolve("keys").resolve("signing.key");
        assertOneLine(
                CliRun.of(with(
                        edge,
                        "--trust-key",
                        dir.resolve("keys").resolve("signing.pub").toString(),
                        "--trust-key",
                        privateKey.toString())),
                "levee run: edge: fleet.trusted_keys (--trust-key): " + privateKey
                        + ": holds a private key ('PRIVATE KEY'); trust the public key");
        Path config = dir.resolve("levee.yaml");
        Files.writeString(config, "fleet:\n  trusted_keys: " + missing + "\n");
        assertOneLine(
                CliRun.of(with(edge, "--config", config.toString())),
                "levee run: " + config + ": fleet.trusted_keys: must be a list of public key files (PEM)");
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static void assertOneLine(CliRun run, String start) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(start);
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void aMissingInterfaceIsNamed() {
        org.levee.testing.Requirements.root();
        CliRun r = CliRun.of(
                "run",
                "-i",
                "nosuch" + Long.toHexString(System.nanoTime()).substring(0, 6),
                "--state-dir",
                dir.toString(),
                "--api",
                "127.0.0.1:0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("levee run: no interface nosuch");
    }
}

package org.levee.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.cli.CliRun;
import org.levee.cli.Main;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import picocli.CommandLine;

/** {@code levee controller}: bad flags and files are one line and exit code 2 before anything starts; good ones start it. */
class ControllerCommandTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --api nowhere                          | levee controller: --api: 'nowhere' is not host:port (like 127.0.0.1:9276)
            --sflow-listen 127.0.0.1:70000         | levee controller: --sflow-listen: '127.0.0.1:70000': port '70000' is not in 0..65535
            --prefix levee                         | levee controller: --prefix: etcd prefix 'levee' must start and end with '/' (e.g. /levee/)
            --name a/b                             | levee controller: --name: 'a/b' is not a controller name
            --etcd ftp://                          | levee controller: --etcd: etcd endpoint
            --name ctl                             | levee controller: no etcd endpoints: give --etcd URLS or etcd.endpoints in the configuration
            --api 192.0.2.1:9277                   | levee controller: the API would listen on 192.0.2.1:9277, which is not a loopback address, without TLS: give --api-cert FILE and --api-key FILE (or api.tls_cert and api.tls_key in the configuration), or listen on 127.0.0.1
            --api [::]:9277                        | levee controller: the API would listen on [::]:9277, which is not a loopback address, without TLS
            --api-cert cert.pem                    | levee controller: --api-cert and --api-key go together
            --etcd http://127.0.0.1:1 --signing-key /nonexistent/signing.key | levee controller: signing.key (--signing-key): /nonexistent/signing.key:
            --etcd https://127.0.0.1:1 --etcd-ca /nonexistent/ca.pem | levee controller: --etcd…: etcd: the CA /nonexistent/ca.pem cannot be read
            """)
    void badFlagsAreOneLineAndExitCodeTwo(String flags, String message) {
        CliRun r = CliRun.of(("controller " + flags).split(" "));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith(message).endsWith("\n");
        assertThat(r.err().strip()).doesNotContain("\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aBadConfigurationNamesTheKey() throws Exception {
        Path config = dir.resolve("controller.yaml");
        Files.writeString(config, "sflow_agents: {switch-1: ams1}\n");
        CliRun r = CliRun.of("controller", "--config", config.toString(), "--etcd", "127.0.0.1:2379");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo(
                        "levee controller: " + config
                                + ": sflow_agents.switch-1: 'switch-1' is not an IP address (the agent address in the sFlow datagrams)\n");
        CliRun missing =
                CliRun.of("controller", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err())
                .startsWith("levee controller: " + dir.resolve("nope.yaml") + ": cannot read the file");
    }

    @Test
    void aTakenPortIsOneLine() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                java.net.DatagramSocket taken =
                        new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of(
                    "controller",
                    "--etcd",
                    etcd.endpoints(),
                    "--sflow-listen",
                    "127.0.0.1:" + taken.getLocalPort(),
                    "--api",
                    "127.0.0.1:0",
                    "--name",
                    "ctl-t",
                    "--state-dir",
                    dir.toString());
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).startsWith("levee controller: cannot listen: ");
        }
    }

    private static String status(String api) {
        try {
            return new String(URI.create(api + "/status").toURL().openStream().readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void itStartsLeadsServesItsApiAndStops() throws Exception {
        Path config = dir.resolve("controller.yaml");
        Files.writeString(config, "name: from-file\nsflow: {listen: '127.0.0.1:0'}\n");
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (EtcdHarness etcd = EtcdHarness.start(1)) {
            StringWriter out = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            Future<Integer> running = runner.submit(() -> cmd.execute(
                    "controller",
                    "--config",
                    config.toString(),
                    "--etcd",
                    etcd.endpoints(),
                    "--api",
                    "127.0.0.1:0",
                    "--name",
                    "ctl-cli",
                    "--state-dir",
                    dir.resolve("state").toString()));
            Eventually.await(
                    Duration.ofSeconds(20),
                    () -> "the start line: " + out,
                    () -> out.toString().contains("API on"));
            Matcher m = Pattern.compile("API on (http://[0-9.]+:[0-9]+)").matcher(out.toString());
            assertThat(m.find()).isTrue();
            assertThat(out.toString()).startsWith("levee: controller ctl-cli: sFlow on 127.0.0.1:");
            Eventually.await(
                    Duration.ofSeconds(10),
                    "it leads",
                    () -> etcd.etcdctl("get", "/levee/leader", "--print-value-only")
                            .strip()
                            .equals("ctl-cli"));
            String api = m.group(1);
            Eventually.await(
                    Duration.ofSeconds(10),
                    "its status says it leads",
                    () -> status(api).contains("\"leader\" : true"));
            assertThat(status(api))
                    .contains("\"controller\" : \"ctl-cli\"")
                    .contains("\"sflow_listen\" : \"127.0.0.1:");
            running.cancel(true);
            Eventually.await(
                    Duration.ofSeconds(10),
                    "it resigned",
                    () -> etcd.etcdctl("get", "/levee/leader").isBlank());
        } finally {
            runner.shutdownNow();
            runner.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}

package org.levee.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.agent.rules.AgentJson;
import org.levee.cli.CliRun;
import org.levee.cli.Main;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.FleetKeys;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.TestCertificates;
import org.levee.testing.Requirements;
import picocli.CommandLine;

/**
 * A secured fleet end to end, through the commands an operator runs: a key pair from
 * {@code levee keys generate}; {@code levee controller} signing with it, an edge
 * ({@code levee run --etcd …}, its own process) trusting its public key, {@code levee fleet status}
 * — all three reaching a real etcd that requires either TLS client certificates (made with openssl)
 * or a user and password ({@code etcdctl user add}, {@code auth enable}; the edge's user may only
 * read the fleet's keys and write its own registration). The controller's signed
 * set is applied; a manifest someone without the key writes with {@code etcdctl} is refused, and
 * the edge says so in its API and registration, which {@code levee fleet status} shows. A client
 * without the certificate, or with a wrong password, is refused with etcd's reason.
 */
@Tag("kernel")
class SecuredFleetTest {
    static final FleetKeys KEYS = FleetKeys.defaults();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String ROOT = "--user=root:root-secret";

    /** How the etcd of a test is secured. */
    enum Security {
        TLS_CLIENT_CERTIFICATES,
        USER_AND_PASSWORD
    }

    @TempDir
    Path dir;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
        Requirements.command("openssl");
    }

    @ParameterizedTest
    @EnumSource(Security.class)
    void signedSetsAreAppliedAndAForgedOneIsRefusedOverASecuredEtcd(Security security) throws Exception {
        CliRun generated =
                CliRun.of("keys", "generate", "--out", dir.resolve("keys").toString());
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        String keyId = generated.out().lines().findFirst().orElseThrow().replace("key id ", "");
        Path signingKey = dir.resolve("keys/signing.key");
        Path publicKey = dir.resolve("keys/signing.pub");

        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (EtcdHarness etcd =
                        security == Security.TLS_CLIENT_CERTIFICATES ? EtcdHarness.startTls(1) : EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                DatagramSocket collector =
                        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // The flags of every etcd client command; the edge reads its password from a file
            // (fleet.etcd.password_file).
            List<String> etcdFlags;
            String edgeConfig = "fleet:\n  registration_ttl: 3s\n  report_interval: 1s\n";
            String[] etcdctlAuth;
            if (security == Security.TLS_CLIENT_CERTIFICATES) {
                TestCertificates pki = etcd.certificates();
                etcdFlags = List.of(
                        "--etcd-ca",
                        pki.ca().toString(),
                        "--etcd-cert",
                        pki.clientCert().toString(),
                        "--etcd-key",
                        pki.clientKey().toString());
                etcdctlAuth = new String[0];
            } else {
                etcd.etcdctl("user", "add", "root:root-secret");
                etcd.etcdctl("user", "add", "levee:levee-secret");
                etcd.etcdctl("role", "add", "fleet");
                etcd.etcdctl("role", "grant-permission", "fleet", "--prefix=true", "readwrite", KEYS.prefix());
                etcd.etcdctl("user", "grant-role", "levee", "fleet");
                // The edge gets what docs/security.md says it needs: read the fleet's keys, write its own registration.
                etcd.etcdctl("user", "add", "edge-s:edge-secret");
                etcd.etcdctl("role", "add", "edge-s");
                etcd.etcdctl("role", "grant-permission", "edge-s", "--prefix=true", "read", KEYS.prefix());
                etcd.etcdctl("role", "grant-permission", "edge-s", "readwrite", KEYS.node("ams", "edge-s"));
                etcd.etcdctl("user", "grant-role", "edge-s", "edge-s");
                etcd.etcdctl("auth", "enable");
                etcdFlags = List.of("--etcd-user", "levee", "--etcd-password", "levee-secret");
                Path password = Files.writeString(dir.resolve("etcd-password"), "edge-secret\n");
                edgeConfig += "  etcd:\n    user: edge-s\n    password_file: " + password + "\n";
                etcdctlAuth = new String[] {ROOT};
            }
            Path config = Files.writeString(dir.resolve("levee.yaml"), edgeConfig);

            StringWriter controllerOut = new StringWriter();
            CommandLine controller = Main.commandLine();
            controller.setOut(new PrintWriter(controllerOut, true));
            List<String> controllerArgs = new ArrayList<>(List.of(
                    "controller",
                    "--etcd",
                    etcd.endpoints(),
                    "--api",
                    "127.0.0.1:0",
                    "--sflow-listen",
                    "127.0.0.1:0",
                    "--name",
                    "ctl-a",
                    "--signing-key",
                    signingKey.toString()));
            controllerArgs.addAll(etcdFlags);
            Future<Integer> controlling =
                    runner.submit(() -> controller.execute(controllerArgs.toArray(String[]::new)));
            Eventually.await(
                    WAIT,
                    () -> "the controller's start line: " + controllerOut,
                    () -> controllerOut.toString().contains("API on"));
            assertThat(controllerOut.toString()).contains("signing with key " + keyId);

            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, "192.0.2.2/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            List<String> edgeArgs = new ArrayList<>(List.of(
                    "run",
                    "-i",
                    veth.interfaceB(),
                    "--netns",
                    ns,
                    "--datacenter",
                    "ams",
                    "--node",
                    "edge-s",
                    "--etcd",
                    etcd.endpoints(),
                    "--sflow",
                    "127.0.0.1:" + collector.getLocalPort(),
                    "--state-dir",
                    dir.resolve("state").toString(),
                    "--api",
                    "127.0.0.1:0",
                    "--config",
                    config.toString(),
                    "--trust-key",
                    publicKey.toString()));
            if (security == Security.TLS_CLIENT_CERTIFICATES) {
                edgeArgs.addAll(etcdFlags);
            }
            Process edge = child(edgeArgs);
            try {
                String line = firstLine(edge);
                assertThat(line)
                        .as(stderr())
                        .startsWith("levee: edge edge-s of ams")
                        .contains("registered at /levee/nodes/ams/edge-s");
                String edgeApi = line.replaceAll(".*API on (http://\\S+).*", "$1");

                // A rule source: the controller compiles and signs, the edge verifies and applies.
                etcd.etcdctl(with(
                        etcdctlAuth,
                        "put",
                        KEYS.rule("flood"),
                        "{\"filter\": \"udp and dst port 9001\", \"action\": \"drop\"}"));
                Eventually.await(WAIT, () -> "signed set applied: " + fleetStatusJson(etcd, etcdFlags), () -> {
                    JsonNode node =
                            fleetStatusJson(etcd, etcdFlags).path("nodes").path(0);
                    return node.path("current").asBoolean()
                            && keyId.equals(node.path("signed_by").asText());
                });
                JsonNode status = fleetStatusJson(etcd, etcdFlags);
                long signedVersion = status.path("ruleset").path("version").asLong();
                assertThat(status.path("ruleset").path("signed_by").asText()).isEqualTo(keyId);
                assertThat(status.path("ruleset").path("rules").asInt()).isEqualTo(1);
                JsonNode edgeStatus = get(edgeApi + "/status").path("fleet");
                assertThat(edgeStatus.path("signing").path("signed_by").asText())
                        .isEqualTo(keyId);
                assertThat(edgeStatus
                                .path("signing")
                                .path("trusted_keys")
                                .path(0)
                                .path("file")
                                .asText())
                        .isEqualTo(publicKey.toString());

                // A leader publishes its own signed set again over a manifest it did not write, healing a
                // forgery within moments: stop it, so that what the edge does with the forgery stays to be seen.
                controlling.cancel(true);
                Eventually.await(
                        WAIT,
                        "the controller resigned",
                        () -> etcd.etcdctl(with(etcdctlAuth, "get", KEYS.leader(), "--print-value-only"))
                                .isBlank());

                // Someone who may write to etcd but has no key: the manifest in force without its signature, one
                // version on.
                String signed = etcd.etcdctl(with(etcdctlAuth, "get", KEYS.ruleset(), "--print-value-only"))
                        .strip();
                int signature = signed.indexOf(",\"signature\":");
                assertThat(signature).as(signed).isPositive();
                String forged = signed.substring(0, signature)
                                .replace("\"version\":" + signedVersion, "\"version\":" + (signedVersion + 1))
                        + "}";
                etcd.etcdctl(with(etcdctlAuth, "put", KEYS.ruleset(), forged));
                Eventually.await(
                        WAIT,
                        () -> "the refusal in the fleet status: " + fleetStatusJson(etcd, etcdFlags),
                        () -> "signature"
                                .equals(fleetStatusJson(etcd, etcdFlags)
                                        .path("nodes")
                                        .path(0)
                                        .path("refused")
                                        .path("reason")
                                        .asText()));
                CliRun text = CliRun.of(with(etcdFlags, "fleet", "status", "--etcd", etcd.endpoints()));
                assertThat(text.exitCode()).as(text.err()).isZero();
                assertThat(text.out())
                        .contains("ruleset: version " + (signedVersion + 1) + ", 1 rule")
                        .contains(", unsigned\n")
                        .containsPattern("ams +edge-s +" + signedVersion + " +[0-9]+ .* refused \\(signature\\)")
                        .contains("  ams/edge-s: version " + (signedVersion + 1))
                        .contains(
                                "manifest at /levee/ruleset is not signed (it has no field 'signature'); this edge applies only"
                                        + " rule sets signed by a key it trusts: " + keyId + " (" + publicKey + ")");
                JsonNode refused = get(edgeApi + "/status").path("fleet").path("last_refused");
                assertThat(refused.path("reason").asText()).isEqualTo("signature");
                assertThat(refused.path("version").asLong()).isEqualTo(signedVersion + 1);
                assertThat(get(edgeApi + "/status")
                                .path("fleet")
                                .path("version")
                                .asLong())
                        .as("still runs the signed set")
                        .isEqualTo(signedVersion);
                assertThat(metric(edgeApi, "levee_ruleset_refused_total{reason=\"signature\"}"))
                        .isEqualTo(1);

                // Clients without the credentials are refused, saying why.
                List<String> without = security == Security.TLS_CLIENT_CERTIFICATES
                        ? List.of("--etcd-ca", etcd.certificates().ca().toString())
                        : List.of("--etcd-user", "levee", "--etcd-password", "wrong");
                CliRun refusedClient = CliRun.of(with(without, "fleet", "status", "--etcd", etcd.endpoints()));
                assertThat(refusedClient.exitCode()).isEqualTo(2);
                assertThat(refusedClient.err())
                        .startsWith("levee fleet status: cannot read the fleet from etcd: ")
                        .contains(
                                security == Security.TLS_CLIENT_CERTIFICATES
                                        ? "bad_certificate"
                                        : "authentication as user 'levee' failed");
            } finally {
                edge.destroy();
                if (!edge.waitFor(20, TimeUnit.SECONDS)) {
                    edge.destroyForcibly();
                }
                Attachment.detach(layout);
                controlling.cancel(true);
            }
        } finally {
            runner.shutdownNow();
            assertThat(runner.awaitTermination(20, TimeUnit.SECONDS))
                    .as("the controller stopped")
                    .isTrue();
        }
    }

    private static String[] with(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    /** {@code rest} then {@code flags}: a command and its arguments, then the etcd flags. */
    private static String[] with(List<String> flags, String... rest) {
        List<String> all = new ArrayList<>(List.of(rest));
        all.addAll(flags);
        return all.toArray(String[]::new);
    }

    private static JsonNode fleetStatusJson(EtcdHarness etcd, List<String> etcdFlags) {
        CliRun run = CliRun.of(with(etcdFlags, "fleet", "status", "--etcd", etcd.endpoints(), "--json"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        try {
            return AgentJson.MAPPER.readTree(run.out());
        } catch (IOException e) {
            throw new AssertionError(run.out(), e);
        }
    }

    private static JsonNode get(String url) {
        try {
            return AgentJson.MAPPER.readTree(
                    URI.create(url).toURL().openStream().readAllBytes());
        } catch (IOException e) {
            throw new AssertionError(url, e);
        }
    }

    private static double metric(String api, String series) {
        try {
            String text = new String(
                    URI.create(api + "/metrics").toURL().openStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$")
                    .matcher(text);
            assertThat(m.find()).as(series + " in\n" + text).isTrue();
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new AssertionError(api, e);
        }
    }

    private static String firstLine(Process process) throws Exception {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(60, TimeUnit.SECONDS);
        assertThat(line).as("the edge's first line; " + stderrOf(process)).isNotNull();
        return line;
    }

    /** {@code levee ARGS} in a new JVM with the test class path; stderr goes to a file in the test's directory. */
    private Process child(List<String> args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                "org.levee.cli.Main"));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectError(dir.resolve("edge-stderr").toFile())
                .start();
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("edge-stderr"));
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    private static String stderrOf(Process process) {
        return process.isAlive() ? "running" : "exited " + process.exitValue();
    }
}

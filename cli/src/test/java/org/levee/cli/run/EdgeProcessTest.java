package org.levee.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.rules.AgentJson;
import org.levee.cli.CliRun;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.store.FleetKeys;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * {@code levee run --etcd … --sflow …} as its own process: it says what it runs, registers, sends
 * sFlow, applies what is published; killed outright, its registration is gone within the lease's
 * TTL while its program keeps running; started again while etcd is down, it runs the last good
 * rule set from its state directory and says so.
 */
@Tag("kernel")
class EdgeProcessTest {
    static final FleetKeys KEYS = FleetKeys.defaults();
    static final Duration TTL = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void registersIsGoneWithinItsTtlWhenKilledAndRestartsFromTheLastGoodSetWithoutEtcd() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                DatagramSocket collector =
                        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, "192.0.2.2/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            Path config = dir.resolve("levee.yaml");
            Files.writeString(config, "fleet:\n  registration_ttl: " + TTL.toSeconds() + "s\n  report_interval: 1s\n");
            List<String> args = List.of(
                    "run",
                    "-i",
                    veth.interfaceB(),
                    "--netns",
                    ns,
                    "--datacenter",
                    "ams",
                    "--node",
                    "edge-p",
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
                    "--sample-rate",
                    "1");
            EtcdClient client = etcd.client();
            Process edge = child(args);
            try {
                String line = firstLine(edge);
                assertThat(line)
                        .as(stderr())
                        .startsWith("levee: edge edge-p of ams protecting interface " + veth.interfaceB())
                        .contains("fleet rule set none from none")
                        .contains("registered at /levee/nodes/ams/edge-p");
                publish(
                        client,
                        1,
                        "rules: [{id: flood, filter: udp and dst port 9001, action: drop, datacenters: [ams]}]");
                Eventually.await(Duration.ofSeconds(20), () -> " " + registration(client), () -> {
                    JsonNode r = registration(client);
                    return r != null && r.path("version").asLong() == 1;
                });
                // levee rules against the edge: a local rule added, listed with the fleet's (read-only)
                String api = line.replaceAll(".*API on (http://\\S+).*", "$1");
                CliRun add = CliRun.of(
                        "rules",
                        "add",
                        "--api",
                        api,
                        "--token-file",
                        dir.resolve("state/api-token").toString(),
                        "--id",
                        "local-ntp",
                        "--filter",
                        "udp and src port 123");
                assertThat(add.exitCode()).as(add.err()).isZero();
                CliRun list = CliRun.of("rules", "list", "--api", api);
                assertThat(list.exitCode()).as(list.err()).isZero();
                assertThat(list.out())
                        .containsPattern("local-ntp +manual +filter udp and src port 123")
                        .containsPattern("flood +fleet/manual +filter udp and dst port 9001 +any destination in ams");
                CliRun rm = CliRun.of(
                        "rules",
                        "rm",
                        "--api",
                        api,
                        "--token-file",
                        dir.resolve("state/api-token").toString(),
                        "flood");
                assertThat(rm.exitCode()).isEqualTo(2);
                assertThat(rm.err()).contains("read-only");
                collector.setSoTimeout(5_000);
                DatagramPacket datagram = new DatagramPacket(new byte[2048], 2048);
                collector.receive(datagram); // counter samples come at once, flow samples with the traffic
                assertThat(datagram.getLength()).isGreaterThan(28);

                long program = Status.read(layout).programId();
                edge.destroyForcibly();
                Instant killed = Instant.now();
                assertThat(edge.waitFor(10, TimeUnit.SECONDS)).isTrue();
                Duration gone = Eventually.await(
                        TTL.plusSeconds(3), "the registration gone", () -> registration(client) == null);
                System.out.printf(
                        "registration gone %d ms after the kill (TTL %d s)%n",
                        Duration.between(killed, Instant.now()).toMillis(), TTL.toSeconds());
                assertThat(gone).isLessThanOrEqualTo(TTL.plusMillis(1_500));
                assertThat(Status.read(layout).programId())
                        .as("the program outlives the process")
                        .isEqualTo(program);
                assertThat(Status.read(layout).rules())
                        .extracting(Status.RuleStatus::id)
                        .containsExactly("flood");

                etcd.stop(0);
                Process again = child(args);
                try {
                    String restarted = firstLine(again);
                    assertThat(restarted).as(stderr()).contains("fleet rule set version 1 from last-good file");
                    assertThat(stderr()).contains("levee: running the last good rule set, version 1");
                    assertThat(Status.read(layout).rules())
                            .extracting(Status.RuleStatus::id, Status.RuleStatus::enabled)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("flood", true));
                    again.destroy(); // SIGTERM: a clean stop
                    assertThat(again.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(again.exitValue()).as(stderr()).isIn(0, 143);
                } finally {
                    again.destroyForcibly();
                }
                assertThat(Status.read(layout).rules())
                        .as("still attached after the stop")
                        .hasSize(1);
            } finally {
                edge.destroyForcibly();
                Attachment.detach(layout);
            }
        }
    }

    private static void publish(EtcdClient client, long version, String yaml) {
        RuleSet rules = RuleCodec.parse("fleet.yaml", yaml);
        byte[] object = RuleSetObject.compile(
                        rules, new RuleFilters().compile("fleet.yaml", rules), new ProgramBuilder())
                .toElf();
        RulesetStore store = new RulesetStore(client, KEYS);
        store.publish(
                new RulesetManifest(
                        version,
                        rules.rules().stream().map(r -> r.id()).toList(),
                        store.refOf(object),
                        Instant.now(),
                        "test-controller"),
                object,
                Optional.empty());
    }

    private static JsonNode registration(EtcdClient client) {
        return client.get(KEYS.node("ams", "edge-p"))
                .map(kv -> {
                    try {
                        return AgentJson.MAPPER.readTree(kv.value());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .orElse(null);
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
        assertThat(line).as("the edge's first line").isNotNull();
        return line;
    }

    /** {@code levee ARGS} in a new JVM with the test class path; stderr goes to files in the test's directory. */
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
                .redirectError(dir.resolve("stderr-" + System.nanoTime()).toFile())
                .start();
    }

    private String stderr() {
        try (var files = Files.list(dir)) {
            StringBuilder s = new StringBuilder();
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("stderr-"))
                    .sorted()
                    .toList()) {
                s.append(Files.readString(p));
            }
            return s.toString();
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }
}

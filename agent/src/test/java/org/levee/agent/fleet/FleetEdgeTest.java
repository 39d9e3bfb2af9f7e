package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.agent.fleet.FleetFixture.KEYS;
import static org.levee.agent.fleet.FleetFixture.compile;
import static org.levee.agent.fleet.FleetFixture.config;
import static org.levee.agent.fleet.FleetFixture.drain;
import static org.levee.agent.fleet.FleetFixture.listen;
import static org.levee.agent.fleet.FleetFixture.manifest;
import static org.levee.agent.fleet.FleetFixture.publish;
import static org.levee.agent.fleet.FleetFixture.send;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.rules.AgentJson;
import org.levee.agent.testing.Http;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.ObjectRef;
import org.levee.store.ObjectStore;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * An edge on a veth, with a real etcd: it follows the rule sets published as the controller
 * publishes them (program swapped, registration updated, the rule of its data center dropping real
 * frames and the rule of another data center inert), and refuses, with a metric per reason, every
 * published set that fails a check, keeping the program it runs.
 */
@Tag("kernel")
class FleetEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String EDGE = "192.0.2.2";

    static final String V1 = """
            rules:
              - {id: flood-ams, filter: udp and dst port 9001, action: drop, datacenters: [ams]}
              - {id: flood-fra, filter: udp and dst port 9002, action: drop, datacenters: [fra]}
            """;
    static final String V2 = """
            rules:
              - {id: flood-ams, filter: udp and dst port 9001, action: drop, datacenters: [ams]}
              - {id: flood-ams-2, filter: udp and dst port 9003, action: drop, datacenters: [ams, fra]}
            """;
    static final String V3 = """
            rules:
              - {id: flood-everywhere, filter: udp and dst port 9004, action: drop}
            """;

    @TempDir
    Path state;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static JsonNode registration(EtcdClient client, String dc, String node) {
        return client.get(KEYS.node(dc, node))
                .map(kv -> {
                    try {
                        return AgentJson.MAPPER.readTree(kv.value());
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .orElse(null);
    }

    /** The value of a metric line of {@code /metrics}, -1 when absent. */
    static double metric(FleetEdge edge, String line) {
        String text = new Http(edge.apiAddress()).get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void followsPublishedRuleSetsAndRefusesBadOnes() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, EDGE + "/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            EtcdClient client = etcd.client();
            try (FleetEdge edge = FleetEdge.start(
                            config(state, "ams", "edge-1", etcd.endpoints(), sink.port(), 1),
                            XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 1));
                    DatagramSocket ams = listen(ns, 9001);
                    DatagramSocket fra = listen(ns, 9002);
                    DatagramSocket both = listen(ns, 9003)) {
                assertThat(edge.running().origin()).isEqualTo(RunningRuleset.Origin.NONE);
                long empty = edge.running().programId();
                Eventually.await(WAIT, "registered", () -> registration(client, "ams", "edge-1") != null);
                assertThat(registration(client, "ams", "edge-1").get("version").isNull())
                        .isTrue();

                publish(client, 1, V1);
                Eventually.await(
                        WAIT,
                        "version 1 applied",
                        () -> edge.running().version().orElse(0) == 1);
                long v1 = edge.running().programId();
                assertThat(v1).isNotEqualTo(empty);
                assertThat(edge.running().origin()).isEqualTo(RunningRuleset.Origin.ETCD);
                Eventually.await(
                        WAIT,
                        "registration of version 1",
                        () -> registration(client, "ams", "edge-1")
                                        .path("version")
                                        .asLong()
                                == 1);
                JsonNode registered = registration(client, "ams", "edge-1");
                assertThat(registered.path("node").asText()).isEqualTo("edge-1");
                assertThat(registered.path("datacenter").asText()).isEqualTo("ams");
                assertThat(registered.path("interface").asText()).isEqualTo(veth.interfaceB());
                assertThat(registered.path("sflow_agent").asText()).isEqualTo("127.0.0.1");
                assertThat(registered.path("program_id").asLong()).isEqualTo(v1);
                assertThat(registered.path("applied").asText())
                        .isEqualTo(edge.running().applied().orElseThrow().toString());
                assertThat(registered.path("reported").asText()).isNotEmpty();
                List<String> counterNames =
                        List.of("seen", "passed", "dropped", "ratelimited", "sampled", "samples_lost");
                assertThat(registered.path("counters").isObject()).isTrue();
                counterNames.forEach(n ->
                        assertThat(registered.path("counters").has(n)).as(n).isTrue());

                // Real frames: the rule of its data center drops, the other data center's passes.
                send(peer, EDGE, 9999, 1); // ARP first
                Thread.sleep(200);
                send(peer, EDGE, 9001, 20);
                send(peer, EDGE, 9002, 20);
                Thread.sleep(300);
                assertThat(drain(ams)).as("to 9001 (flood-ams, enabled in ams)").isZero();
                assertThat(drain(fra)).as("to 9002 (flood-fra, for fra only)").isEqualTo(20);
                assertThat(edge.dataPlane().counters().rule("flood-ams").packets())
                        .isEqualTo(20);
                assertThat(edge.dataPlane().counters().rule("flood-fra").packets())
                        .isZero();

                java.time.Instant published = java.time.Instant.now();
                publish(client, 2, V2);
                Eventually.await(
                        WAIT,
                        "version 2 applied",
                        () -> edge.running().version().orElse(0) == 2);
                // the program is specialised right after the check; its swap follows within a few ms
                System.out.printf(
                        "version 2: manifest written to program specialised in %d ms%n",
                        java.time.Duration.between(
                                        published, edge.running().applied().orElseThrow())
                                .toMillis());
                long v2 = edge.running().programId();
                assertThat(v2).isNotEqualTo(v1);
                send(peer, EDGE, 9003, 10);
                send(peer, EDGE, 9002, 10);
                Thread.sleep(300);
                assertThat(drain(both)).isZero();
                assertThat(drain(fra)).as("flood-fra is gone in version 2").isEqualTo(10);

                // Every check refuses, counted by reason; version 2 keeps running.
                RulesetStore store = new RulesetStore(client, KEYS);
                byte[] v3 = compile(V3);

                // a chunk cut short: the size is not the manifest's
                ObjectRef ref3 = store.objects().write(v3);
                client.put(KEYS.chunk(ref3.sha256(), 0), Arrays.copyOf(v3, v3.length - 8));
                client.put(KEYS.ruleset(), RulesetManifestJson.encode(manifest(store, 3, v3)));
                awaitRefused(edge, Refusal.SIZE, 1);

                // a chunk with a byte changed: the SHA-256 is not the manifest's
                byte[] flipped = v3.clone();
                flipped[v3.length / 2] ^= 1;
                client.put(KEYS.chunk(ref3.sha256(), 0), flipped);
                client.put(KEYS.ruleset(), RulesetManifestJson.encode(manifest(store, 4, v3)));
                awaitRefused(edge, Refusal.DIGEST, 1);

                // a chunk missing
                ObjectStore small = new ObjectStore(client, KEYS, 1024);
                ObjectRef chunked = small.write(v3);
                assertThat(chunked.chunks()).isGreaterThan(2);
                client.delete(KeyRange.key(KEYS.chunk(chunked.sha256(), 1)));
                RulesetManifest five = manifest(store, 5, v3);
                client.put(
                        KEYS.ruleset(),
                        RulesetManifestJson.encode(
                                new RulesetManifest(5, five.rules(), chunked, five.compiledAt(), five.controller())));
                awaitRefused(edge, Refusal.MISSING_CHUNK, 1);

                // a manifest naming an object by a digest its bytes do not have
                ObjectRef liar = new ObjectRef(LastGoodRuleset.sha256(new byte[] {1, 2, 3}), v3.length, 1);
                client.put(KEYS.chunk(liar.sha256(), 0), v3);
                client.put(
                        KEYS.ruleset(),
                        RulesetManifestJson.encode(
                                new RulesetManifest(6, five.rules(), liar, five.compiledAt(), five.controller())));
                awaitRefused(edge, Refusal.DIGEST, 2);

                // verified bytes that are not a rule-set object
                byte[] noise = new byte[4096];
                new Random(15).nextBytes(noise);
                store.publish(
                        new RulesetManifest(7, List.of(), store.refOf(noise), five.compiledAt(), "test-controller"),
                        noise,
                        Optional.empty());
                awaitRefused(edge, Refusal.OBJECT, 1);

                // an object whose rules are not the manifest's
                store.publish(
                        new RulesetManifest(
                                8, List.of("something-else"), store.refOf(v3), five.compiledAt(), "test-controller"),
                        v3,
                        Optional.empty());
                awaitRefused(edge, Refusal.RULES, 1);

                // a manifest that is not JSON
                client.put(KEYS.ruleset(), "{\"version\": 9, ".getBytes(StandardCharsets.UTF_8));
                awaitRefused(edge, Refusal.MANIFEST, 1);

                assertThat(edge.running().version().orElse(0)).isEqualTo(2);
                assertThat(edge.running().programId()).isEqualTo(v2);
                assertThat(edge.lastRefused().orElseThrow().message())
                        .contains("/levee/ruleset")
                        .contains("is not valid JSON");
                // The registration says so at once, for the leading controller to notify (ruleset_refused).
                long refusedAt = edge.lastRefused().orElseThrow().revision();
                Eventually.await(
                        WAIT,
                        () -> "the refusal in the registration: " + registration(client, "ams", "edge-1"),
                        () -> registration(client, "ams", "edge-1")
                                        .path("refused")
                                        .path("revision")
                                        .asLong()
                                == refusedAt);
                assertThat(registration(client, "ams", "edge-1")
                                .path("refused")
                                .path("reason")
                                .asText())
                        .isEqualTo("manifest");
                send(peer, EDGE, 9003, 10);
                Thread.sleep(300);
                assertThat(drain(both)).as("version 2 still drops").isZero();
                assertThat(metric(edge, "levee_ruleset_refused_total{reason=\"load\"}"))
                        .isZero();

                // and a good set is taken again
                publish(client, 10, V3);
                Eventually.await(
                        WAIT,
                        "version 10 applied",
                        () -> edge.running().version().orElse(0) == 10);
                assertThat(edge.running().programId()).isNotEqualTo(v2);
                Eventually.await(
                        WAIT,
                        "registration of version 10",
                        () -> registration(client, "ams", "edge-1")
                                        .path("program_id")
                                        .asLong()
                                == edge.running().programId());
                assertThat(registration(client, "ams", "edge-1").path("refused").isNull())
                        .as("no refusal since version 10")
                        .isTrue();
                assertThat(metric(edge, "levee_fleet_ruleset_version")).isEqualTo(10);
                assertThat(metric(edge, "levee_fleet_watch_connected")).isEqualTo(1);
                assertThat(metric(edge, "levee_fleet_ruleset_origin{origin=\"etcd\"}"))
                        .isEqualTo(1);
                assertThat(metric(edge, "levee_fleet_registered")).isEqualTo(1);

                // a gzip form that cannot be used (a byte flipped): the plain chunks are read instead, nothing refused
                byte[] first = compile(V1);
                RulesetManifest eleven = store.withGzip(manifest(store, 11, first), first);
                store.writeObject(eleven, first);
                byte[] gzip = client.get(KEYS.gzipChunk(eleven.object().sha256(), 0))
                        .orElseThrow()
                        .value();
                gzip[gzip.length / 2] ^= 1;
                client.put(KEYS.gzipChunk(eleven.object().sha256(), 0), gzip);
                store.commitManifest(eleven, first, Optional.empty());
                Eventually.await(
                        WAIT,
                        "version 11 applied from the plain chunks",
                        () -> edge.running().version().orElse(0) == 11);
                assertThat(edge.running().sha256()).contains(eleven.object().sha256());
                assertThat(metric(edge, "levee_ruleset_refused_total{reason=\"digest\"}"))
                        .isEqualTo(2);
            } finally {
                Attachment.detach(layout);
            }
        }
    }

    private static void awaitRefused(FleetEdge edge, Refusal reason, int times) {
        String line = "levee_ruleset_refused_total{reason=\"" + reason.label() + "\"}";
        Eventually.await(
                WAIT,
                () -> " " + line + " = " + metric(edge, line) + ", last refusal " + edge.lastRefused(),
                () -> metric(edge, line) == times);
        assertThat(edge.lastRefused().orElseThrow().reason()).isEqualTo(reason);
    }
}

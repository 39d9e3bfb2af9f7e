package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.agent.fleet.FleetEdgeTest.metric;
import static org.levee.agent.fleet.FleetEdgeTest.registration;
import static org.levee.agent.fleet.FleetFixture.KEYS;
import static org.levee.agent.fleet.FleetFixture.compile;
import static org.levee.agent.fleet.FleetFixture.config;
import static org.levee.agent.fleet.FleetFixture.drain;
import static org.levee.agent.fleet.FleetFixture.listen;
import static org.levee.agent.fleet.FleetFixture.manifest;
import static org.levee.agent.fleet.FleetFixture.send;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.testing.Http;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.signing.ManifestSigning;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.TestSigningKeys;
import org.levee.testing.Requirements;

/**
 * Edges that trust signing keys, with a real etcd, on veths: sets signed by a trusted key are
 * applied; a manifest and object someone without the key writes with {@code etcdctl put} are
 * refused by every edge that trusts keys (and taken by one that trusts none, the documented
 * default); so are a set signed by an untrusted key, a signed manifest whose fields were changed, a
 * malformed signature field and a signed set whose chunk was tampered with — each with its metric,
 * log, API and registration, the running program kept and dropping. Then a key rotation (old and
 * new key trusted, the sets re-signed with the new key, the old key dropped: an old signed set
 * replayed is refused), an older set signed by a trusted key written back (refused: versions only
 * go up) and a state directory whose manifest was edited, refused on start.
 */
@Tag("kernel")
class SignedRulesetTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    static final String V1 = """
            rules:
              - {id: flood, filter: udp and dst port 9001, action: drop}
            """;
    static final String V5 = """
            rules:
              - {id: flood, filter: udp and dst port 9001, action: drop}
              - {id: other, filter: udp and dst port 9003, action: drop}
            """;
    static final String V6 = """
            rules:
              - {id: flood, filter: udp and dst port 9001, action: drop}
              - {id: flood-2, filter: udp and dst port 9002, action: drop}
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    /** Publishes {@code yaml} as version {@code version}, signed with {@code key}, as a controller with that key does. */
    static byte[] publishSigned(EtcdClient client, long version, String yaml, TestSigningKeys key) {
        RulesetStore store = new RulesetStore(client, KEYS);
        byte[] object = compile(yaml);
        byte[] signed = ManifestSigning.sign(manifest(store, version, object), key.signing());
        store.publish(signed, object, Optional.empty());
        return signed;
    }

    static AgentConfig trusting(AgentConfig config, TestSigningKeys... keys) {
        List<Path> files = new ArrayList<>();
        for (TestSigningKeys k : keys) {
            files.add(k.pub());
        }
        return config.withFleet(config.fleet().withTrustedKeys(files));
    }

    static double signatureRefusals(FleetEdge edge) {
        return metric(edge, "levee_ruleset_refused_total{reason=\"signature\"}");
    }

    static void awaitRefused(FleetEdge edge, Refusal reason, int times, String messagePart) {
        String line = "levee_ruleset_refused_total{reason=\"" + reason.label() + "\"}";
        Eventually.await(
                WAIT,
                () -> edge.registrationKey() + ": " + line + " = " + metric(edge, line) + ", last "
                        + edge.lastRefused(),
                () -> metric(edge, line) == times);
        assertThat(edge.lastRefused().orElseThrow().reason()).isEqualTo(reason);
        assertThat(edge.lastRefused().orElseThrow().message()).contains(messagePart);
    }

    static JsonNode fleetStatus(FleetEdge edge) {
        return new Http(edge.apiAddress()).get("/status").json().path("fleet");
    }

    @Test
    void onlySetsSignedByATrustedKeyAreAppliedFromEtcdAndFromDisk() throws Exception {
        TestSigningKeys a = TestSigningKeys.generate(dir.resolve("keys"), "a");
        TestSigningKeys b = TestSigningKeys.generate(dir.resolve("keys"), "b");
        TestSigningKeys mallory = TestSigningKeys.generate(dir.resolve("keys"), "mallory");
        Path state1 = dir.resolve("state-1");
        Path state2 = dir.resolve("state-2");
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer1 = lab.addNamespace("peer1");
            String ns1 = lab.addNamespace("edge1");
            VethPair veth1 = lab.addVeth(peer1, "192.0.2.1/30", ns1, "192.0.2.2/30");
            String ns2 = lab.addNamespace("edge2");
            VethPair veth2 = lab.addVeth(lab.addNamespace("peer2"), "192.0.2.5/30", ns2, "192.0.2.6/30");
            String ns3 = lab.addNamespace("edge3");
            VethPair veth3 = lab.addVeth(lab.addNamespace("peer3"), "192.0.2.9/30", ns3, "192.0.2.10/30");
            List<PinLayout> layouts = List.of(
                    new PinLayout(veth1.interfaceB(), ns1),
                    new PinLayout(veth2.interfaceB(), ns2),
                    new PinLayout(veth3.interfaceB(), ns3));
            EtcdClient client = etcd.client();
            AgentConfig config1 = config(state1, "ams", "edge-1", etcd.endpoints(), sink.port(), 1);
            AgentConfig config2 = config(state2, "fra", "edge-2", etcd.endpoints(), sink.port(), 1);
            AgentConfig config3 = config(dir.resolve("state-3"), "ams", "edge-3", etcd.endpoints(), sink.port(), 1);
            FleetEdge edge1 = FleetEdge.start(
                    trusting(config1, a), XdpDataPlane.open(veth1.interfaceB(), ns1, XdpMode.NATIVE, 1));
            FleetEdge edge2 = FleetEdge.start(
                    trusting(config2, a), XdpDataPlane.open(veth2.interfaceB(), ns2, XdpMode.NATIVE, 1));
            try (DatagramSocket port9001 = listen(ns1, 9001)) {
                List<FleetEdge> trusting = List.of(edge1, edge2);
                byte[] v1;
                long program1;
                byte[] empty = compile("rules: []");
                String emptySha = LastGoodRuleset.sha256(empty);
                try (FleetEdge edge3 =
                        FleetEdge.start(config3, XdpDataPlane.open(veth3.interfaceB(), ns3, XdpMode.NATIVE, 1))) {
                    // A set signed by the trusted key: applied everywhere, and the edges say whose signature they
                    // checked.
                    v1 = publishSigned(client, 1, V1, a);
                    for (FleetEdge e : List.of(edge1, edge2, edge3)) {
                        Eventually.await(
                                WAIT,
                                e.registrationKey() + " applies version 1",
                                () -> e.running().version().orElse(0) == 1);
                    }
                    program1 = edge1.running().programId();
                    Eventually.await(
                            WAIT,
                            "registration says signed by a",
                            () -> a.id().hex()
                                    .equals(registration(client, "ams", "edge-1")
                                            .path("signed_by")
                                            .asText()));
                    JsonNode status = fleetStatus(edge1);
                    assertThat(status.path("signing").path("required").asBoolean())
                            .isTrue();
                    assertThat(status.path("signing").path("signed_by").asText())
                            .isEqualTo(a.id().hex());
                    assertThat(status.path("signing")
                                    .path("trusted_keys")
                                    .get(0)
                                    .path("key_id")
                                    .asText())
                            .isEqualTo(a.id().hex());
                    assertThat(status.path("signing")
                                    .path("trusted_keys")
                                    .get(0)
                                    .path("file")
                                    .asText())
                            .isEqualTo(a.pub().toString());
                    assertThat(status.path("last_refused").isNull()).isTrue();
                    assertThat(fleetStatus(edge3)
                                    .path("signing")
                                    .path("required")
                                    .asBoolean())
                            .isFalse();
                    assertThat(fleetStatus(edge3)
                                    .path("signing")
                                    .path("signed_by")
                                    .isNull())
                            .isTrue();
                    send(peer1, "192.0.2.2", 9999, 1); // ARP
                    Thread.sleep(200);

                    // Someone who can write to etcd but has no key: an object that drops nothing and its manifest, with
                    // etcdctl.
                    etcd.etcdctlWithInput(empty, "put", KEYS.chunk(emptySha, 0));
                    etcd.etcdctl(
                            "put",
                            KEYS.ruleset(),
                            "{\"version\":2,\"rules\":[],\"object\":{\"sha256\":\"" + emptySha + "\",\"size\":"
                                    + empty.length
                                    + ",\"chunks\":1},\"compiled_at\":\"2026-12-07T06:00:00Z\",\"controller\":\"mallory\"}");
                    for (FleetEdge e : trusting) {
                        awaitRefused(
                                e,
                                Refusal.SIGNATURE,
                                1,
                                "version 2: manifest at /levee/ruleset is not signed (it has no field"
                                        + " 'signature'); this edge applies only rule sets signed by a key it trusts: "
                                        + a.id());
                        assertThat(e.running().version()).hasValue(1);
                    }
                    // The default, without trusted keys: it is taken. That is what the keys are for.
                    Eventually.await(
                            WAIT,
                            "the edge without keys runs the forged set",
                            () -> edge3.running().version().orElse(0) == 2);
                    assertThat(edge3.running().sha256()).hasValue(emptySha);

                    assertThat(edge1.running().programId()).isEqualTo(program1);
                    send(peer1, "192.0.2.2", 9001, 20);
                    Thread.sleep(300);
                    assertThat(drain(port9001))
                            .as("version 1 still drops on edge-1")
                            .isZero();
                    Eventually.await(
                            WAIT,
                            "registration shows the refusal",
                            () -> "signature"
                                    .equals(registration(client, "ams", "edge-1")
                                            .path("refused")
                                            .path("reason")
                                            .asText()));
                    JsonNode refused = registration(client, "ams", "edge-1").path("refused");
                    assertThat(refused.path("version").asLong()).isEqualTo(2);
                    assertThat(refused.path("revision").asLong()).isPositive();
                    assertThat(refused.path("message").asText()).contains("is not signed");
                    assertThat(fleetStatus(edge1)
                                    .path("last_refused")
                                    .path("reason")
                                    .asText())
                            .isEqualTo("signature");
                    assertThat(fleetStatus(edge1)
                                    .path("last_refused")
                                    .path("version")
                                    .asLong())
                            .isEqualTo(2);
                }

                // Signed, but by a key the edges do not trust.
                publishSigned(client, 3, V5, mallory);
                for (FleetEdge e : trusting) {
                    awaitRefused(
                            e,
                            Refusal.SIGNATURE,
                            2,
                            "version 3: manifest at /levee/ruleset is signed by key " + mallory.id()
                                    + ", which this edge does not trust (it trusts " + a.id() + " (" + a.pub() + "))");
                }

                // A manifest a trusted key signed, its fields changed: it now names the empty object.
                String altered = new String(v1, StandardCharsets.UTF_8)
                        .replace("\"version\":1", "\"version\":4")
                        .replaceAll(
                                "\"sha256\":\"[0-9a-f]{64}\",\"size\":[0-9]+",
                                "\"sha256\":\"" + emptySha + "\",\"size\":" + empty.length);
                assertThat(altered).contains("\"signature\":{\"key_id\":\"" + a.id() + "\"");
                etcd.etcdctl("put", KEYS.ruleset(), altered);
                for (FleetEdge e : trusting) {
                    awaitRefused(
                            e,
                            Refusal.SIGNATURE,
                            3,
                            "version 4: manifest at /levee/ruleset: the signature by key " + a.id() + " (" + a.pub()
                                    + ") does not verify");
                }

                // A signature field that is not one.
                String unsigned = new String(
                                ManifestSigning.unsigned(org.levee.store.RulesetManifestJson.decode(v1, "v1")),
                                StandardCharsets.UTF_8)
                        .replace("\"version\":1", "\"version\":5");
                etcd.etcdctl(
                        "put",
                        KEYS.ruleset(),
                        unsigned.substring(0, unsigned.length() - 1) + ",\"signature\":\"ed25519:trust-me\"}");
                for (FleetEdge e : trusting) {
                    awaitRefused(
                            e,
                            Refusal.SIGNATURE,
                            4,
                            "field 'signature' must be an object {\"key_id\": …, \"ed25519\": …}");
                }

                // Correctly signed, but a chunk of its object was changed in etcd: the digest refuses it.
                RulesetStore store = new RulesetStore(client, KEYS);
                byte[] object5 = compile(V5);
                var ref5 = store.objects().write(object5);
                byte[] flipped = object5.clone();
                flipped[object5.length / 2] ^= 1;
                client.put(KEYS.chunk(ref5.sha256(), 0), flipped);
                client.put(KEYS.ruleset(), ManifestSigning.sign(manifest(store, 5, object5), a.signing()));
                for (FleetEdge e : trusting) {
                    awaitRefused(e, Refusal.DIGEST, 1, "the SHA-256 of its 1 chunks is");
                    assertThat(signatureRefusals(e)).isEqualTo(4);
                    assertThat(e.running().version()).hasValue(1);
                }
                assertThat(edge1.running().programId()).isEqualTo(program1);
                send(peer1, "192.0.2.2", 9001, 20);
                Thread.sleep(300);
                assertThat(drain(port9001))
                        .as("version 1 still drops on edge-1 after every refusal")
                        .isZero();

                // A good set again.
                byte[] v6 = publishSigned(client, 6, V6, a);
                for (FleetEdge e : trusting) {
                    Eventually.await(
                            WAIT,
                            e.registrationKey() + " applies version 6",
                            () -> e.running().version().orElse(0) == 6);
                }

                // Rotation, 1: edge-1 trusts the old and the new key (restarted with both: its last good set still
                // verifies).
                edge1.close();
                edge1 = FleetEdge.start(
                        trusting(config1, a, b), XdpDataPlane.open(veth1.interfaceB(), ns1, XdpMode.NATIVE, 1));
                // etcd answers at once, so what ran on start is asked of restoredOnStart, not of running().
                assertThat(edge1.restoredOnStart().origin()).isEqualTo(RunningRuleset.Origin.LAST_GOOD);
                assertThat(edge1.restoredOnStart().version()).hasValue(6);
                FleetEdge restarted = edge1;
                Eventually.await(
                        WAIT,
                        "edge-1 takes etcd's version 6",
                        () -> restarted.running().origin() == RunningRuleset.Origin.ETCD);
                long program6 = edge1.running().programId();

                // 2: the controllers sign with the new key: the same object, a new version, signed by b.
                byte[] v7 = publishSigned(client, 7, V6, b);
                Eventually.await(
                        WAIT,
                        "edge-1 takes version 7",
                        () -> restarted.running().version().orElse(0) == 7);
                assertThat(edge1.running().programId())
                        .as("same object: nothing swapped")
                        .isEqualTo(program6);
                assertThat(edge1.fleetView().signing().signedBy()).hasValue(b.id().hex());
                Eventually.await(
                        WAIT,
                        "edge-1's registration says signed by b",
                        () -> b.id().hex()
                                .equals(registration(client, "ams", "edge-1")
                                        .path("signed_by")
                                        .asText()));
                // An edge that was not given the new key yet refuses it and keeps running version 6: the order matters.
                awaitRefused(
                        edge2, Refusal.SIGNATURE, 5, "is signed by key " + b.id() + ", which this edge does not trust");
                assertThat(edge2.running().version()).hasValue(6);

                // Version 6, validly signed by a key edge-1 still trusts, written back: a replay, refused as older than
                // 7.
                etcd.etcdctl("put", KEYS.ruleset(), new String(v6, StandardCharsets.UTF_8));
                awaitRefused(edge1, Refusal.ROLLBACK, 1, "version 6 is older than version 7, which this edge runs");
                assertThat(edge1.running().version()).hasValue(7);
                assertThat(metric(edge1, "levee_ruleset_refused_total{reason=\"signature\"}"))
                        .isZero();
                etcd.etcdctl("put", KEYS.ruleset(), new String(v7, StandardCharsets.UTF_8));

                // 3: edge-1 drops the old key. Its last good set (version 7, signed by b) verifies on start;
                // the old key's signed set replayed from before the rotation is refused.
                edge1.close();
                edge1 = FleetEdge.start(
                        trusting(config1, b), XdpDataPlane.open(veth1.interfaceB(), ns1, XdpMode.NATIVE, 1));
                assertThat(edge1.restoredOnStart().origin()).isEqualTo(RunningRuleset.Origin.LAST_GOOD);
                assertThat(edge1.restoredOnStart().version()).hasValue(7);
                FleetEdge onlyNew = edge1;
                Eventually.await(
                        WAIT,
                        "edge-1 takes etcd's version 7",
                        () -> onlyNew.running().origin() == RunningRuleset.Origin.ETCD);
                etcd.etcdctl("put", KEYS.ruleset(), new String(v6, StandardCharsets.UTF_8));
                awaitRefused(
                        edge1,
                        Refusal.SIGNATURE,
                        1,
                        "version 6: manifest at /levee/ruleset is signed by key " + a.id()
                                + ", which this edge does not trust (it trusts " + b.id() + " (" + b.pub() + "))");
                assertThat(edge1.running().version()).hasValue(7);

                // A state directory whose manifest was edited: refused on start (here with etcd away), the
                // program left attached kept; caught up once etcd answers.
                edge2.close();
                Path saved = state2.resolve(LastGoodRuleset.DIRECTORY).resolve(LastGoodRuleset.MANIFEST);
                String onDisk = Files.readString(saved);
                assertThat(onDisk).contains("\"version\":6").contains("\"key_id\":\"" + a.id() + "\"");
                Files.writeString(
                        saved, onDisk.replace("\"controller\":\"test-controller\"", "\"controller\":\"mallory\""));
                etcd.stop(0);
                edge2 = FleetEdge.start(
                        trusting(config2, a, b), XdpDataPlane.open(veth2.interfaceB(), ns2, XdpMode.NATIVE, 1));
                assertThat(edge2.running().origin()).isEqualTo(RunningRuleset.Origin.ADOPTED);
                RulesetFollower.Refused onStart = edge2.lastRefused().orElseThrow();
                assertThat(onStart.reason()).isEqualTo(Refusal.SIGNATURE);
                assertThat(onStart.revision()).isZero();
                assertThat(onStart.version()).isEqualTo(6);
                assertThat(onStart.message())
                        .isEqualTo("the last good rule set: manifest at " + saved + ": the signature by key " + a.id()
                                + " (" + a.pub()
                                + ") does not verify: these are not the bytes that key signed (the manifest was changed after"
                                + " signing, or the signature forged)");
                assertThat(signatureRefusals(edge2)).isEqualTo(1);
                etcd.restart(0);
                FleetEdge caughtUp = edge2;
                Eventually.await(
                        WAIT,
                        "edge-2 applies etcd's set",
                        () -> caughtUp.running().origin() == RunningRuleset.Origin.ETCD);
                assertThat(edge2.running().version())
                        .as("the replayed version 6, signed by a, which edge-2 trusts")
                        .hasValue(6);
            } finally {
                edge1.close();
                edge2.close();
                layouts.forEach(Attachment::detach);
            }
        }
    }
}

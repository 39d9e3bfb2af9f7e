package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.store.PublishedManifest;
import org.levee.store.RulesetStore;
import org.levee.store.signing.KeyFileException;
import org.levee.store.signing.ManifestSignature;
import org.levee.store.signing.ManifestSigning;
import org.levee.store.signing.ManifestVerifier;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.TestSigningKeys;
import org.levee.testing.Requirements;

/**
 * A controller with a signing key signs every manifest it publishes; a new leader with another key
 * (a rotation) signs the set in force again — same object, next version — and so does a leader
 * that finds the manifest in force rewritten by someone without its key, at its next compilation;
 * a leader without a key publishes unsigned; a leader publishes above the versions edges register as
 * running (they refuse older ones). A key file other users can read is refused before the
 * controller connects to anything.
 */
class SignedPublicationTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    Fleet fleet;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private PublishedManifest inForce() {
        return new RulesetStore(fleet.client(), Fleet.KEYS).current().orElseThrow();
    }

    private Optional<String> signer() {
        return new RulesetStore(fleet.client(), Fleet.KEYS)
                .current()
                .flatMap(p -> ManifestSignature.claimedBy(p.manifest()))
                .map(k -> k.hex());
    }

    @Test
    void theLeaderSignsWithItsKeyAndANewKeySignsTheSetInForceAgain() {
        TestSigningKeys a = TestSigningKeys.generate(dir, "a");
        TestSigningKeys b = TestSigningKeys.generate(dir, "b");
        Controller first = fleet.start(Fleet.config("ctl-a").withSigningKey(Optional.of(a.key())));
        assertThat(first.signingKeyId()).contains(a.id());
        Eventually.await(WAIT, "the first set, signed by a", () -> signer().equals(Optional.of(a.id().hex())));
        fleet.etcd()
                .etcdctl(
                        "put",
                        Fleet.KEYS.rule("memcached"),
                        "{\"filter\": \"udp and src port 11211\", \"action\": \"drop\"}");
        Eventually.await(
                WAIT,
                "memcached published",
                () -> fleet.manifest()
                        .map(m -> m.rules().equals(List.of("memcached")))
                        .orElse(false));
        PublishedManifest signedByA = inForce();
        assertThat(ManifestVerifier.of(List.of(a.trusted())).verify(signedByA, "test"))
                .isEqualTo(a.trusted());
        // Exactly what the controller's manifest would be unsigned, then the signature field last.
        String stored = new String(signedByA.json(), StandardCharsets.UTF_8);
        String unsigned = new String(ManifestSigning.unsigned(signedByA.manifest()), StandardCharsets.UTF_8);
        assertThat(stored)
                .startsWith(
                        unsigned.substring(0, unsigned.length() - 1) + ",\"signature\":{\"key_id\":\"" + a.id() + "\"");
        JsonNode status = Http.to(first.apiAddress()).get("/status").json();
        assertThat(status.path("signing").path("key_id").asText()).isEqualTo(a.id().hex());
        assertThat(status.path("signing").path("file").asText())
                .isEqualTo(a.key().toString());
        Eventually.await(
                WAIT,
                "status shows the signer",
                () -> a.id().hex()
                        .equals(Http.to(first.apiAddress())
                                .get("/status")
                                .json()
                                .path("ruleset")
                                .path("signed_by")
                                .asText()));
        JsonNode fleetJson = Http.to(first.apiAddress()).get("/fleet").json();
        assertThat(fleetJson.path("ruleset").path("signed_by").asText()).isEqualTo(a.id().hex());

        // The key rotates: the next leader has key b. It signs the set in force again, unchanged.
        first.close();
        Controller second = fleet.start(Fleet.config("ctl-b").withSigningKey(Optional.of(b.key())));
        Eventually.await(WAIT, "re-signed by b", () -> signer().equals(Optional.of(b.id().hex())));
        PublishedManifest signedByB = inForce();
        assertThat(signedByB.manifest().object()).isEqualTo(signedByA.manifest().object());
        assertThat(signedByB.manifest().rules()).isEqualTo(signedByA.manifest().rules());
        assertThat(signedByB.manifest().version())
                .isEqualTo(signedByA.manifest().version() + 1);
        assertThat(signedByB.manifest().controller()).isEqualTo("ctl-b");
        assertThat(ManifestVerifier.of(List.of(a.trusted(), b.trusted())).verify(signedByB, "test"))
                .isEqualTo(b.trusted());

        // Someone without the key puts the same manifest back unsigned: the next compilation (any
        // change of the sources, here a bad one that is left out) signs it again.
        fleet.etcd()
                .etcdctl(
                        "put",
                        Fleet.KEYS.ruleset(),
                        new String(ManifestSigning.unsigned(signedByB.manifest()), StandardCharsets.UTF_8));
        assertThat(signer()).isEmpty();
        fleet.etcd().etcdctl("put", Fleet.KEYS.rule("bad"), "{\"filter\": \"udp and nonsense\", \"action\": \"drop\"}");
        Eventually.await(WAIT, "signed by b again", () -> signer().equals(Optional.of(b.id().hex())));
        assertThat(inForce().manifest().object()).isEqualTo(signedByA.manifest().object());
        assertThat(inForce().manifest().version())
                .isGreaterThan(signedByB.manifest().version());

        // A leader without a key publishes what it would: unsigned.
        second.close();
        Controller third = fleet.start(Fleet.config("ctl-c"));
        assertThat(third.signingKeyId()).isEmpty();
        Eventually.await(
                WAIT,
                "published unsigned by ctl-c",
                () -> inForce().manifest().controller().equals("ctl-c"));
        assertThat(inForce().manifest().extra()).doesNotContainKey("signature");
        assertThat(Http.to(third.apiAddress())
                        .get("/status")
                        .json()
                        .path("signing")
                        .isNull())
                .isTrue();
    }

    /**
     * Edges that check signatures refuse a version below the one they run, so after etcd lost the
     * manifest (or went back to an older backup) the leader must publish above the versions the
     * edges' registrations report — with the same object, so no edge swaps anything.
     */
    @Test
    void theLeaderPublishesAboveTheVersionEdgesRegisterAsRunning() {
        TestSigningKeys a = TestSigningKeys.generate(dir, "a");
        Controller controller = fleet.start(Fleet.config("ctl-a").withSigningKey(Optional.of(a.key())));
        fleet.etcd()
                .etcdctl(
                        "put",
                        Fleet.KEYS.rule("memcached"),
                        "{\"filter\": \"udp and src port 11211\", \"action\": \"drop\"}");
        Eventually.await(
                WAIT,
                "memcached published",
                () -> fleet.manifest()
                        .map(m -> m.rules().equals(List.of("memcached")))
                        .orElse(false));
        PublishedManifest before = inForce();
        assertThat(before.manifest().version()).isLessThan(40);

        // An edge registers as running version 40: etcd's manifest is older than what edges run.
        java.time.Instant now = java.time.Instant.now();
        fleet.client()
                .put(
                        Fleet.KEYS.node("ams1", "edge-1"),
                        org.levee.store.RegistrationJson.encode(new org.levee.store.Registration(
                                "edge-1",
                                "ams1",
                                Optional.of("192.0.2.1"),
                                Optional.of("eth0"),
                                40,
                                1234,
                                Optional.of(now),
                                Optional.of(now),
                                null)));
        Eventually.await(WAIT, "published above 40", () -> inForce().manifest().version() == 41);
        assertThat(inForce().manifest().object()).isEqualTo(before.manifest().object());
        assertThat(inForce().manifest().rules()).isEqualTo(before.manifest().rules());
        assertThat(signer()).contains(a.id().hex());

        // Registrations at or below the manifest in force change nothing.
        fleet.client()
                .put(
                        Fleet.KEYS.node("ams1", "edge-2"),
                        org.levee.store.RegistrationJson.encode(new org.levee.store.Registration(
                                "edge-2",
                                "ams1",
                                Optional.of("192.0.2.2"),
                                Optional.of("eth0"),
                                41,
                                1235,
                                Optional.of(now),
                                Optional.of(now),
                                null)));
        fleet.etcd()
                .etcdctl("put", Fleet.KEYS.rule("ntp"), "{\"filter\": \"udp and src port 123\", \"action\": \"drop\"}");
        Eventually.await(
                WAIT, "ntp published", () -> inForce().manifest().rules().size() == 2);
        assertThat(inForce().manifest().version()).isEqualTo(42);

        // A forged manifest at the last version there is: nothing can follow it, which is said as a
        // problem until it is deleted; then the next compilation publishes, above the edges.
        String forged = new String(ManifestSigning.unsigned(inForce().manifest()), StandardCharsets.UTF_8)
                .replace("\"version\":42", "\"version\":" + Long.MAX_VALUE);
        fleet.etcd().etcdctl("put", Fleet.KEYS.ruleset(), forged);
        fleet.etcd()
                .etcdctl(
                        "put",
                        Fleet.KEYS.rule("ssdp"),
                        "{\"filter\": \"udp and src port 1900\", \"action\": \"drop\"}");
        Eventually.await(
                WAIT,
                () -> "the problem, in " + controller.problems(),
                () -> controller.problems().stream()
                        .anyMatch(
                                p -> p.problem()
                                        .startsWith(
                                                "no version can follow 9223372036854775807, the version of the manifest in force")));
        assertThat(inForce().manifest().version()).isEqualTo(Long.MAX_VALUE);
        fleet.etcd().etcdctl("del", Fleet.KEYS.ruleset());
        fleet.etcd()
                .etcdctl(
                        "put",
                        Fleet.KEYS.rule("chargen"),
                        "{\"filter\": \"udp and src port 19\", \"action\": \"drop\"}");
        Eventually.await(
                WAIT,
                "published after the forged manifest went",
                () -> fleet.manifest().map(m -> m.rules().size() == 4).orElse(false));
        assertThat(inForce().manifest().version()).isEqualTo(43);
        assertThat(signer()).contains(a.id().hex());
    }

    @Test
    void aSigningKeyOthersCanReadIsRefusedBeforeAnythingStarts() throws Exception {
        TestSigningKeys a = TestSigningKeys.generate(dir, "a");
        Files.setPosixFilePermissions(a.key(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> fleet.start(Fleet.config("ctl-a").withSigningKey(Optional.of(a.key()))))
                .isInstanceOf(KeyFileException.class)
                .hasMessage(a.key()
                        + ": other users may read or write this signing key (mode 0644); whoever reads it can sign rule"
                        + " sets every edge runs: chmod 600 " + a.key());
        assertThat(fleet.etcd().etcdctl("get", Fleet.KEYS.leader()).strip())
                .as("it never campaigned")
                .isEmpty();
        assertThatThrownBy(() -> fleet.start(Fleet.config("ctl-a").withSigningKey(Optional.of(a.pub()))))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("holds a public key");
    }
}

package org.levee.store.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.store.BadManifestException;
import org.levee.store.ObjectRef;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;
import org.levee.store.testing.TestSigningKeys;

/**
 * The signing codec with fixed keys (RFC 8032's test keys 1 and 2, so every run signs the same
 * bytes the same way): what is signed and where the signature goes, what a verifier accepts, and
 * that everything else — unsigned, another key, changed fields, a malformed signature field — is
 * refused with a message naming what is wrong.
 */
class ManifestSigningTest {
    static final String KEY = "/levee/ruleset";
    static final String SHA = "0123456789abcdef".repeat(4);
    // RFC 8032, 7.1, TEST 1 and TEST 2: secret keys, their public keys, and a signature of each.
    static final String SECRET_1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    static final String PUBLIC_1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    static final String SIGNATURE_1 =
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    static final String SECRET_2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    static final String PUBLIC_2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    static final String MESSAGE_2 = "72";
    static final String SIGNATURE_2 =
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    @TempDir
    static Path dir;

    static TestSigningKeys one;
    static TestSigningKeys two;

    @BeforeAll
    static void keys() {
        one = TestSigningKeys.fromSeed(dir, "one", SECRET_1);
        two = TestSigningKeys.fromSeed(dir, "two", SECRET_2);
    }

    static RulesetManifest sample() {
        return new RulesetManifest(
                7,
                List.of("syn-1", "dns-2"),
                new ObjectRef(SHA, 3_670_016, 4),
                Instant.parse("2026-12-07T06:08:13.123Z"),
                "ctl-a");
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static RulesetManifest decode(byte[] stored) {
        return RulesetManifestJson.decode(stored, KEY);
    }

    static ManifestVerifier trusting(TestSigningKeys... keys) {
        return ManifestVerifier.of(
                Arrays.stream(keys).map(TestSigningKeys::trusted).toList());
    }

    @Test
    void theKeysAreRfc8032sAndSignAsTheRfcSays() {
        // The public key derived from the private key alone is the RFC's.
        byte[] spki = one.signing().publicKey().key().getEncoded();
        assertThat(HexFormat.of().formatHex(spki)).isEqualTo("302a300506032b6570032100" + PUBLIC_1);
        assertThat(HexFormat.of().formatHex(two.trusted().key().getEncoded())).endsWith(PUBLIC_2);
        assertThat(HexFormat.of().formatHex(one.signing().sign(new byte[0]))).isEqualTo(SIGNATURE_1);
        assertThat(HexFormat.of().formatHex(two.signing().sign(HexFormat.of().parseHex(MESSAGE_2))))
                .isEqualTo(SIGNATURE_2);
        assertThat(one.trusted().verifies(new byte[0], HexFormat.of().parseHex(SIGNATURE_1)))
                .isTrue();
        assertThat(one.trusted().verifies(new byte[] {0}, HexFormat.of().parseHex(SIGNATURE_1)))
                .isFalse();
        // The key id is the first 8 bytes of the SHA-256 of that SubjectPublicKeyInfo.
        assertThat(one.id().hex()).isEqualTo(HexFormat.of().formatHex(sha256(spki), 0, 8));
        assertThat(one.id()).isNotEqualTo(two.id());
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSignatureCoversTheExactUnsignedBytesAndIsTheLastField() {
        byte[] unsigned = RulesetManifestJson.encode(sample());
        byte[] stored = ManifestSigning.sign(sample(), one.signing());
        byte[] signature = one.signing().sign(unsigned);
        String field = ",\"signature\":{\"key_id\":\"" + one.id().hex() + "\",\"ed25519\":\""
                + Base64.getEncoder().encodeToString(signature) + "\"}";
        String u = text(unsigned);
        assertThat(text(stored)).isEqualTo(u.substring(0, u.length() - 1) + field + "}");

        // Readers that know nothing of signatures read the same manifest, with one more field.
        RulesetManifest read = decode(stored);
        assertThat(read.withoutExtra("signature")).isEqualTo(sample());
        assertThat(read.extra().keySet()).containsExactly("signature");

        ManifestSigning.SignedPart part =
                ManifestSigning.signedPart(stored, read, KEY).orElseThrow();
        assertThat(part.bytes()).isEqualTo(unsigned);
        assertThat(part.signature()).isEqualTo(new ManifestSignature(one.id(), signature));
        assertThat(trusting(one).verify(stored, read, KEY)).isEqualTo(one.trusted());
        assertThat(ManifestSignature.claimedBy(read)).contains(one.id());
        assertThat(ManifestSigning.signedPart(unsigned, sample(), KEY)).isEmpty();
    }

    @Test
    void fieldsAddedLaterAreSignedTooAndSigningAgainReplacesTheSignature() {
        RulesetManifest withExpiry = sample().withExtra(
                        "expires", JsonNodeFactory.instance.objectNode().put("syn-1", "2026-12-07T07:00:00Z"));
        byte[] signedByOne = ManifestSigning.sign(withExpiry, one.signing());
        RulesetManifest read = decode(signedByOne);
        assertThat(read.extra().keySet()).containsExactly("expires", "signature");
        assertThat(trusting(one).verify(signedByOne, read, KEY)).isEqualTo(one.trusted());
        byte[] changed = text(signedByOne).replace("07:00:00Z", "09:00:00Z").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> trusting(one).verify(changed, decode(changed), KEY))
                .isInstanceOfSatisfying(
                        BadSignatureException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.MISMATCH));

        // The manifest read back (signature and all), signed by another key: one signature, the new one's.
        byte[] signedByTwo = ManifestSigning.sign(read, two.signing());
        RulesetManifest again = decode(signedByTwo);
        assertThat(ManifestSignature.claimedBy(again)).contains(two.id());
        assertThat(text(signedByTwo).split("\"signature\"", -1)).hasSize(2);
        assertThat(trusting(one, two).verify(signedByTwo, again, KEY)).isEqualTo(two.trusted());
        assertThat(ManifestSigning.unsigned(again)).isEqualTo(ManifestSigning.unsigned(read));
    }

    @Test
    void whatAVerifierRefusesAndWhy() {
        byte[] unsigned = RulesetManifestJson.encode(sample());
        assertThatThrownBy(() -> trusting(one, two).verify(unsigned, sample(), KEY))
                .isInstanceOfSatisfying(BadSignatureException.class, e -> {
                    assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.UNSIGNED);
                    assertThat(e.where()).isEqualTo(KEY);
                })
                .hasMessage(
                        "manifest at /levee/ruleset is not signed (it has no field 'signature'); this edge applies only rule"
                                + " sets signed by a key it trusts: " + one.id() + " (" + one.pub() + "), " + two.id()
                                + " (" + two.pub() + ")");

        byte[] byTwo = ManifestSigning.sign(sample(), two.signing());
        assertThatThrownBy(() -> trusting(one).verify(byTwo, decode(byTwo), KEY))
                .isInstanceOfSatisfying(
                        BadSignatureException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.UNTRUSTED_KEY))
                .hasMessage("manifest at /levee/ruleset is signed by key " + two.id()
                        + ", which this edge does not trust (it trusts " + one.id() + " (" + one.pub() + "))");

        // Key two's signature presented as key one's: one's public key does not verify it.
        byte[] relabelled = text(byTwo).replace(two.id().hex(), one.id().hex()).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> trusting(one).verify(relabelled, decode(relabelled), KEY))
                .isInstanceOfSatisfying(
                        BadSignatureException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.MISMATCH))
                .hasMessage(
                        "manifest at /levee/ruleset: the signature by key " + one.id() + " (" + one.pub()
                                + ") does not verify:"
                                + " these are not the bytes that key signed (the manifest was changed after signing, or the signature forged)");
    }

    static Stream<Arguments> alterations() {
        return Stream.of(
                Arguments.of("version", "\"version\":7", "\"version\":70"),
                Arguments.of("a rule dropped", "[\"syn-1\",\"dns-2\"]", "[\"syn-1\"]"),
                Arguments.of("rules reordered", "[\"syn-1\",\"dns-2\"]", "[\"dns-2\",\"syn-1\"]"),
                Arguments.of("another object", SHA, "f".repeat(64)),
                Arguments.of("object size", "\"size\":3670016", "\"size\":3670015"),
                Arguments.of("compiled_at", "13.123Z", "13.124Z"),
                Arguments.of("controller", "\"ctl-a\"", "\"ctl-b\""),
                Arguments.of("a field added", "\"controller\":\"ctl-a\"", "\"controller\":\"ctl-a\",\"expires\":{}"),
                Arguments.of("a space", "\"version\":7,", "\"version\":7, "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alterations")
    void aValidSignatureOverAManifestWhoseFieldsWereChangedIsRefused(String what, String from, String to) {
        String signed = text(ManifestSigning.sign(sample(), one.signing()));
        assertThat(signed).contains(from);
        byte[] altered = signed.replace(from, to).getBytes(StandardCharsets.UTF_8);
        RulesetManifest read = decode(altered); // still a valid manifest, so only the signature can tell
        assertThatThrownBy(() -> trusting(one).verify(altered, read, KEY))
                .isInstanceOfSatisfying(
                        BadSignatureException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.MISMATCH))
                .hasMessageContaining("does not verify");
    }

    static Stream<Arguments> malformedSignatures() {
        String id = "\"key_id\":\"0123456789abcdef\"";
        String sig = "\"ed25519\":\"" + Base64.getEncoder().encodeToString(new byte[64]) + "\"";
        return Stream.of(
                Arguments.of(
                        "\"signature\":\"ed25519:abc\"",
                        "field 'signature' must be an object {\"key_id\": …, \"ed25519\": …}, got \"ed25519:abc\""),
                Arguments.of("\"signature\":[]", "field 'signature' must be an object"),
                Arguments.of("\"signature\":{" + sig + "}", "field 'signature.key_id' is missing"),
                Arguments.of("\"signature\":{\"key_id\":null," + sig + "}", "field 'signature.key_id' is missing"),
                Arguments.of(
                        "\"signature\":{\"key_id\":\"0123456789ABCDEF\"," + sig + "}",
                        "field 'signature.key_id' must be 16 lowercase hex digits (the first 8 bytes of the SHA-256 of the signing key's public key), got \"0123456789ABCDEF\""),
                Arguments.of(
                        "\"signature\":{\"key_id\":\"0123456789abcde\"," + sig + "}",
                        "field 'signature.key_id' must be 16 lowercase hex digits"),
                Arguments.of(
                        "\"signature\":{\"key_id\":81985529216486895," + sig + "}",
                        "field 'signature.key_id' must be 16 lowercase hex digits"),
                Arguments.of("\"signature\":{" + id + "}", "field 'signature.ed25519' is missing"),
                Arguments.of(
                        "\"signature\":{" + id + ",\"ed25519\":64}",
                        "field 'signature.ed25519' must be a 64-byte Ed25519 signature in base64 (88 characters), got 64"),
                Arguments.of(
                        "\"signature\":{" + id + ",\"ed25519\":\"not base64!\"}",
                        "field 'signature.ed25519' must be a 64-byte Ed25519 signature in base64 (88 characters), got \"not base64!\" (not base64: "),
                Arguments.of(
                        "\"signature\":{" + id + ",\"ed25519\":\""
                                + Base64.getEncoder().encodeToString(new byte[63]) + "\"}",
                        "(63 bytes)"),
                Arguments.of(
                        "\"signature\":{" + id + ",\"ed25519\":\""
                                + Base64.getEncoder()
                                        .encodeToString(new byte[64])
                                        .replace("A==", "B==") + "\"}",
                        "field 'signature.ed25519' is not canonical base64"),
                Arguments.of(
                        "\"signature\":{" + id + "," + sig + ",\"alg\":\"ed448\"}",
                        "field 'signature.alg' is unknown (a signature has key_id and ed25519)"),
                Arguments.of(
                        "\"signature\":{" + sig + "," + id + "}",
                        "field 'signature' must be the manifest's last field, written exactly as"),
                Arguments.of(
                        "\"signature\":{" + id + ", " + sig + "}",
                        "field 'signature' must be the manifest's last field"),
                Arguments.of(
                        "\"signature\":{" + id + "," + sig + "},\"expires\":{}",
                        "field 'signature' must be the manifest's last field"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedSignatures")
    void aMalformedSignatureFieldIsRefusedNamingTheField(String field, String expected) {
        String unsigned = text(RulesetManifestJson.encode(sample()));
        byte[] stored =
                (unsigned.substring(0, unsigned.length() - 1) + "," + field + "}").getBytes(StandardCharsets.UTF_8);
        RulesetManifest read = decode(stored);
        assertThatThrownBy(() -> trusting(one).verify(stored, read, KEY))
                .isInstanceOfSatisfying(BadSignatureException.class, e -> {
                    assertThat(e.problem()).isEqualTo(BadSignatureException.Problem.MALFORMED);
                    assertThat(e.where()).isEqualTo(KEY);
                })
                .hasMessageStartingWith("manifest at /levee/ruleset: ")
                .hasMessageContaining(expected);
    }

    @Test
    void aVerifierNeedsAKeyAndTakesTheSameKeyTwiceOnce() {
        assertThatThrownBy(() -> ManifestVerifier.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no trusted keys");
        TrustedKey again = TrustedKey.of(one.trusted().key(), "another copy");
        assertThat(ManifestVerifier.of(List.of(one.trusted(), again, two.trusted()))
                        .keys())
                .containsExactly(one.trusted(), two.trusted());
    }

    /**
     * Random manifests, signed; then one byte of the stored value changed, anywhere: the result is
     * refused — not JSON or not a manifest, or its signature does not verify — and never accepted.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void noSingleByteChangeOfASignedManifestIsAccepted(long seed) {
        Random random = new Random(seed);
        ManifestVerifier verifier = trusting(one, two);
        for (int round = 0; round < 40; round++) {
            List<String> rules = new ArrayList<>();
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                rules.add("rule-" + random.nextInt(1000) + "-" + i);
            }
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            long size = 1 + random.nextInt(1 << 20);
            RulesetManifest m = new RulesetManifest(
                    1 + random.nextInt(1_000_000),
                    rules,
                    new ObjectRef(HexFormat.of().formatHex(digest), size, 1 + (int) (size >> 20)),
                    Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(1_000_000_000)),
                    "ctl-" + random.nextInt(9));
            TestSigningKeys signer = random.nextBoolean() ? one : two;
            byte[] stored = ManifestSigning.sign(m, signer.signing());
            assertThat(verifier.verify(stored, decode(stored), KEY)).isEqualTo(signer.trusted());

            byte[] changed = stored.clone();
            int at = random.nextInt(changed.length);
            byte to;
            do {
                to = (byte) (random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : random.nextInt(256));
            } while (to == changed[at]);
            changed[at] = to;
            try {
                RulesetManifest read = decode(changed);
                verifier.verify(changed, read, KEY);
                throw new AssertionError(
                        "accepted with byte " + at + " changed to " + (to & 0xff) + ": " + text(changed));
            } catch (BadManifestException | BadSignatureException e) {
                assertThat(e.getMessage()).startsWith("manifest at /levee/ruleset");
            }
        }
    }
}

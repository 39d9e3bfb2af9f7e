package org.levee.store.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.store.ObjectRef;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;
import org.levee.testing.Requirements;

/**
 * Key files: what {@code levee keys generate} writes (modes, PEM that openssl reads), keys openssl
 * made read by Levee with the same ids openssl computes, signatures openssl verifies, and every
 * file that is not a usable key refused with a message naming the file and what is wrong.
 */
class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void generatedKeysAreWrittenPrivatelyAndReadBack() throws IOException {
        SigningKey key = SigningKey.generate();
        Path priv = dir.resolve("signing.key");
        Path pub = dir.resolve("signing.pub");
        key.write(priv, pub);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readString(priv))
                .startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(pub))
                .startsWith("-----BEGIN PUBLIC KEY-----\n")
                .endsWith("-----END PUBLIC KEY-----\n");
        SigningKey read = SigningKey.read(priv);
        TrustedKey trusted = TrustedKey.read(pub);
        assertThat(read.id()).isEqualTo(key.id()).isEqualTo(trusted.id());
        assertThat(trusted.source()).isEqualTo(pub.toString());
        byte[] message = "a manifest".getBytes(StandardCharsets.US_ASCII);
        assertThat(trusted.verifies(message, read.sign(message))).isTrue();
        assertThat(SigningKey.groupAccessWarning(priv)).isEmpty();

        // Never overwritten: a second key would orphan every edge that trusts the first.
        byte[] before = Files.readAllBytes(priv);
        assertThatThrownBy(() -> SigningKey.generate().write(priv, dir.resolve("other.pub")))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(priv.toString());
        assertThatThrownBy(() -> SigningKey.generate().write(dir.resolve("other.key"), pub))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(priv)).isEqualTo(before);
        assertThat(dir.resolve("other.key")).doesNotExist();
        assertThat(dir.resolve("other.pub")).doesNotExist();
    }

    @Test
    void aPrivateKeyOthersCanReadIsRefusedAndOneItsGroupCanReadWarned() throws IOException {
        Path priv = dir.resolve("signing.key");
        SigningKey.generate().write(priv, dir.resolve("signing.pub"));
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SigningKey.read(priv))
                .isInstanceOf(KeyFileException.class)
                .hasMessage(priv
                        + ": other users may read or write this signing key (mode 0644); whoever reads it can sign rule"
                        + " sets every edge runs: chmod 600 " + priv);
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-----w-"));
        assertThatThrownBy(() -> SigningKey.read(priv)).hasMessageContaining("(mode 0602)");
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(SigningKey.read(priv).id()).isNotNull();
        assertThat(SigningKey.groupAccessWarning(priv))
                .contains(priv + ": its group may read or write this signing key (mode 0640);"
                        + " chmod 600 it unless that group is only the controllers'");
    }

    @Test
    void keysMadeByOpensslAreReadWithTheIdsOpensslComputesAndOurSignaturesVerifyThere() throws Exception {
        Requirements.command("openssl");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        openssl("pkey", "-in", "k.pem", "-pubout", "-out", "k.pub");
        openssl("pkey", "-pubin", "-in", "k.pub", "-outform", "DER", "-out", "k.der");
        Files.setPosixFilePermissions(dir.resolve("k.pem"), PosixFilePermissions.fromString("rw-------"));
        SigningKey key = SigningKey.read(dir.resolve("k.pem"));
        TrustedKey trusted = TrustedKey.read(dir.resolve("k.pub"));
        String opensslId =
                HexFormat.of().formatHex(ManifestSigningTest.sha256(Files.readAllBytes(dir.resolve("k.der"))), 0, 8);
        assertThat(key.id().hex()).isEqualTo(opensslId);
        assertThat(trusted.id().hex()).isEqualTo(opensslId);

        // A manifest we sign; openssl verifies the signature over its signed part.
        RulesetManifest m = new RulesetManifest(
                3,
                List.of("a"),
                new ObjectRef("ab".repeat(32), 100, 1),
                Instant.parse("2026-12-07T06:08:13Z"),
                "ctl-a");
        byte[] stored = ManifestSigning.sign(m, key);
        ManifestSigning.SignedPart part = ManifestSigning.signedPart(
                        stored, RulesetManifestJson.decode(stored, "m"), "m")
                .orElseThrow();
        Files.write(dir.resolve("signed.json"), part.bytes());
        Files.write(dir.resolve("sig.bin"), part.signature().signature());
        assertThat(openssl(
                        "pkeyutl",
                        "-verify",
                        "-pubin",
                        "-inkey",
                        "k.pub",
                        "-rawin",
                        "-in",
                        "signed.json",
                        "-sigfile",
                        "sig.bin"))
                .contains("Signature Verified Successfully");
        // And the other way: openssl signs, we verify.
        openssl("pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "signed.json", "-out", "their.bin");
        assertThat(trusted.verifies(part.bytes(), Files.readAllBytes(dir.resolve("their.bin"))))
                .isTrue();
        // Our PEM is openssl's.
        assertThat(trusted.pem()).isEqualTo(Files.readString(dir.resolve("k.pub")));
        assertThat(key.pem()).isEqualTo(Files.readString(dir.resolve("k.pem")));
    }

    @Test
    void filesThatAreNotTheRightKeyAreRefusedNamingTheFileAndWhy() throws Exception {
        Requirements.command("openssl");
        Path priv = dir.resolve("signing.key");
        Path pub = dir.resolve("signing.pub");
        SigningKey.generate().write(priv, pub);
        Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SigningKey.read(pub))
                .isInstanceOf(KeyFileException.class)
                .hasMessage(
                        pub
                                + ": holds a public key; a controller signs with the private key (signing.key), edges trust the public one");
        assertThatThrownBy(() -> TrustedKey.read(priv))
                .isInstanceOf(KeyFileException.class)
                .hasMessage(priv
                        + ": holds a private key ('PRIVATE KEY'); trust the public key (signing.pub, or openssl pkey -in KEY"
                        + " -pubout), never give the private key to an edge");

        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key");
        openssl("pkey", "-in", "ec.key", "-pubout", "-out", "ec.pub");
        openssl("genpkey", "-algorithm", "ed448", "-out", "ed448.key");
        openssl("genpkey", "-algorithm", "ed25519", "-aes256", "-pass", "pass:secret", "-out", "encrypted.key");
        for (String f : List.of("ec.key", "ed448.key", "encrypted.key")) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-------"));
        }
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("ec.key")))
                .hasMessage(dir.resolve("ec.key")
                        + ": holds a private key of another algorithm, EC (ECDSA) (1.2.840.10045.2.1); Levee"
                        + " signs with Ed25519 (levee keys generate, or openssl genpkey -algorithm ed25519)");
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("ed448.key")))
                .hasMessageStartingWith(
                        dir.resolve("ed448.key") + ": holds a private key of another algorithm, Ed448 (1.3.101.113)");
        assertThatThrownBy(() -> TrustedKey.read(dir.resolve("ec.pub")))
                .hasMessage(
                        dir.resolve("ec.pub")
                                + ": holds a public key of another algorithm, EC (ECDSA) (1.2.840.10045.2.1); Levee signs with Ed25519");
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("encrypted.key")))
                .hasMessage(dir.resolve("encrypted.key")
                        + ": is an encrypted private key; Levee reads an unencrypted PKCS#8 key"
                        + " (openssl pkcs8 -topk8 -nocrypt -in " + dir.resolve("encrypted.key") + ")");

        String good = Files.readString(pub);
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"", "is not a PEM file (no -----BEGIN …----- line)"});
        cases.add(new String[] {"hello\n", "is not a PEM file"});
        cases.add(new String[] {
            good.replace("-----END PUBLIC KEY-----\n", ""),
            "the 'PUBLIC KEY' block of line 1 has no -----END PUBLIC KEY----- line"
        });
        cases.add(new String[] {
            good.replace("END PUBLIC", "END PRIVATE"),
            "line 3: '-----END PRIVATE KEY-----' ends a block that line 1 began as 'PUBLIC KEY'"
        });
        cases.add(new String[] {good + good, "holds 2 PEM blocks; give one key per file"});
        cases.add(new String[] {good.replace("MCowBQYDK2Vw", "MCowBQYDK2V*"), "lines 2..2 are not base64"});
        cases.add(new String[] {
            good.replace("MCowBQYDK2Vw", "MCoxBQYDK2Vw"), "is not an Ed25519 public key (X.509 SubjectPublicKeyInfo)"
        });
        cases.add(new String[] {
            good.replace("MCowBQYDK2Vw", "MCowBQYDK2Vx"), "holds a public key of another algorithm, Ed448 (1.3.101.113)"
        });
        cases.add(new String[] {
            good.replace("PUBLIC KEY", "CERTIFICATE"), "holds a PEM 'CERTIFICATE' block, not a 'PUBLIC KEY'"
        });
        cases.add(new String[] {
            good.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n"), "line 2: 'Proc-Type: 4,ENCRYPTED': PEM headers"
        });
        for (String[] c : cases) {
            Path file = dir.resolve("case.pub");
            Files.writeString(file, c[0]);
            assertThatThrownBy(() -> TrustedKey.read(file))
                    .as(c[1])
                    .isInstanceOf(KeyFileException.class)
                    .hasMessageStartingWith(file + ": ")
                    .hasMessageContaining(c[1]);
        }
        // Text around the block, as openssl writes with -text, is fine.
        Files.writeString(dir.resolve("texty.pub"), "ED25519 Public-Key:\npub:\n    d7:5a\n" + good);
        assertThat(TrustedKey.read(dir.resolve("texty.pub")).id())
                .isEqualTo(TrustedKey.read(pub).id());
        assertThatThrownBy(() -> TrustedKey.read(dir.resolve("nope.pub")))
                .hasMessage(dir.resolve("nope.pub") + ": does not exist");
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("nope.key")))
                .hasMessage(dir.resolve("nope.key") + ": does not exist");
    }

    private String openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}

package org.levee.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.levee.store.signing.KeyId;
import org.levee.store.signing.SigningKey;
import org.levee.store.signing.TrustedKey;

/**
 * Signing keys for tests, as files the way an operator has them: {@code NAME.key} (PKCS#8 PEM,
 * mode 0600) and {@code NAME.pub} (X.509 SubjectPublicKeyInfo PEM).
 *
 * @param key the private key file
 * @param pub the public key file
 * @param signing the private key, read back from its file
 * @param trusted the public key, read back from its file
 */
public record TestSigningKeys(Path key, Path pub, SigningKey signing, TrustedKey trusted) {

    /** The key's id. */
    public KeyId id() {
        return signing.id();
    }

    /** A new key written as {@code dir/NAME.key} and {@code dir/NAME.pub}. */
    public static TestSigningKeys generate(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            SigningKey.generate().write(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read(dir, name);
    }

    /**
     * The key whose 32-byte private key (RFC 8032's "secret key") is {@code seedHex}, written as
     * {@code dir/NAME.key} and {@code dir/NAME.pub}: the same key in every run.
     */
    public static TestSigningKeys fromSeed(Path dir, String name, String seedHex) {
        byte[] seed = HexFormat.of().parseHex(seedHex);
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 private key has 32 bytes");
        }
        // PKCS#8 PrivateKeyInfo {version 0, AlgorithmIdentifier {1.3.101.112}, OCTET STRING {OCTET STRING seed}} (RFC
        // 8410)
        byte[] der = new byte[48];
        System.arraycopy(HexFormat.of().parseHex("302e020100300506032b657004220420"), 0, der, 0, 16);
        System.arraycopy(seed, 0, der, 16, 32);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        try {
            Files.createDirectories(dir);
            Path key = dir.resolve(name + ".key");
            Files.writeString(key, pem);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(
                    dir.resolve(name + ".pub"), SigningKey.read(key).publicKey().pem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read(dir, name);
    }

    private static TestSigningKeys read(Path dir, String name) {
        Path key = dir.resolve(name + ".key");
        Path pub = dir.resolve(name + ".pub");
        return new TestSigningKeys(key, pub, SigningKey.read(key), TrustedKey.read(pub));
    }
}

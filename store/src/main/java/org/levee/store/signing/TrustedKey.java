package org.levee.store.signing;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;

/**
 * An Ed25519 public key an edge trusts: manifests signed by its private key are accepted. Read
 * from a PEM file holding an X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), as
 * {@code levee keys generate} and {@code openssl pkey -pubout} write it.
 *
 * @param id the key's id (in the signatures it makes)
 * @param key the public key
 * @param source where it came from (the file), for messages
 */
public record TrustedKey(KeyId id, PublicKey key, String source) {
    /** The PEM label of a public key. */
    public static final String PEM_LABEL = "PUBLIC KEY";

    public TrustedKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
        if (!id.equals(KeyId.of(key))) {
            throw new IllegalArgumentException(
                    "key id " + id + " is not the id of the key from " + source + " (" + KeyId.of(key) + ")");
        }
    }

    /** {@code key}, known by {@code source} in messages. */
    public static TrustedKey of(PublicKey key, String source) {
        return new TrustedKey(KeyId.of(key), key, source);
    }

    /**
     * The public key in {@code file}.
     *
     * @throws KeyFileException naming the file and what is wrong: unreadable, not PEM, a private key
     *     (edges get the public one), not Ed25519
     */
    public static TrustedKey read(Path file) {
        Pem.Block block = Pem.decode(Pem.read(file), file);
        if (block.label().contains("PRIVATE KEY")) {
            throw new KeyFileException(
                    file,
                    "holds a private key ('" + block.label() + "'); trust the public key"
                            + " (signing.pub, or openssl pkey -in KEY -pubout), never give the private key to an edge");
        }
        if (!block.label().equals(PEM_LABEL)) {
            throw new KeyFileException(
                    file,
                    "holds a PEM '" + block.label() + "' block, not a '" + PEM_LABEL
                            + "' (an X.509 SubjectPublicKeyInfo Ed25519 key)");
        }
        return fromDer(block.der(), file);
    }

    /** The key in {@code der} (X.509 SubjectPublicKeyInfo); errors name {@code file}. */
    static TrustedKey fromDer(byte[] der, Path file) {
        PublicKey key;
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(
                    file,
                    Der.algorithm(der, false)
                            .filter(oid -> !oid.equals(Der.ED25519))
                            .map(oid -> "holds a public key of another algorithm, " + Der.describe(oid)
                                    + "; Levee signs with Ed25519")
                            .orElse("is not an Ed25519 public key (X.509 SubjectPublicKeyInfo): " + e.getMessage()),
                    e);
        }
        return of(key, file.toString());
    }

    /** The key as PEM, as {@link #read} reads it. */
    public String pem() {
        return Pem.encode(PEM_LABEL, key.getEncoded());
    }

    /** True when {@code signature} is this key's signature of {@code message}. */
    public boolean verifies(byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // malformed signature bytes: not this key's signature
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot verify Ed25519 signatures", e);
        }
    }

    /** "a1b2c3d4e5f60718 (/etc/levee/signing.pub)". */
    public String describe() {
        return id + " (" + source + ")";
    }
}

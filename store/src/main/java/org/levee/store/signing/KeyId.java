package org.levee.store.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names a signing key: the first 8 bytes of the SHA-256 of its public key in X.509
 * SubjectPublicKeyInfo form (the DER inside the {@code signing.pub} PEM file), as 16 lowercase hex
 * digits. A manifest's signature carries it so an edge picks the right trusted key at once; with
 * openssl: {@code openssl pkey -pubin -in signing.pub -outform DER | sha256sum | cut -c1-16}.
 *
 * @param hex 16 lowercase hex digits
 */
public record KeyId(String hex) {
    /** Hex digits in a key id. */
    public static final int LENGTH = 16;

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{" + LENGTH + "}");

    public KeyId {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("key id '" + hex + "' must be " + LENGTH + " lowercase hex digits");
        }
    }

    /** The id of {@code key}, from its X.509 encoding. */
    public static KeyId of(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return new KeyId(HexFormat.of().formatHex(Arrays.copyOf(digest, LENGTH / 2)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** True when {@code text} is a key id's spelling. */
    public static boolean isKeyId(String text) {
        return text != null && HEX.matcher(text).matches();
    }

    @Override
    public String toString() {
        return hex;
    }
}

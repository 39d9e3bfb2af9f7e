package org.levee.store;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names a rule-set object in the store: its SHA-256, its size and into how many chunks it is cut.
 * The manifest's {@code "object"} field.
 *
 * @param sha256 SHA-256 of the whole object, 64 lowercase hex digits
 * @param size the object's size in bytes (at least 1)
 * @param chunks how many chunks hold it (at least 1, at most one per byte)
 */
public record ObjectRef(String sha256, long size, int chunks) {
    /** Objects above this size are refused (a rule-set object is a few MiB at most). */
    public static final long MAX_SIZE = 256L << 20;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ObjectRef {
        checkSha256(sha256);
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("object size " + size + " is outside 1.." + MAX_SIZE + " bytes");
        }
        if (chunks < 1 || chunks > size) {
            throw new IllegalArgumentException(
                    "object of " + size + " bytes in " + chunks + " chunks: need 1..size chunks");
        }
    }

    /** {@code sha256} when it is 64 lowercase hex digits. */
    static String checkSha256(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("SHA-256 '" + sha256 + "' must be 64 lowercase hex digits");
        }
        return sha256;
    }

    /** The digest's first 12 hex digits, for messages. */
    public String shortSha() {
        return sha256.substring(0, 12);
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}

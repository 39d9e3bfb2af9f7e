package org.levee.store.signing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.levee.store.RulesetManifest;

/**
 * The {@code signature} field of a manifest: which key signed it and the Ed25519 signature, in
 * exactly this form (no spaces), always the manifest's last field:
 *
 * <pre>
 * "signature":{"key_id":"a1b2c3d4e5f60718","ed25519":"…88 characters of base64…"}
 * </pre>
 *
 * {@link ManifestSigning} says which bytes it signs.
 *
 * @param keyId the signing key's id
 * @param signature the 64-byte Ed25519 signature
 */
public record ManifestSignature(KeyId keyId, byte[] signature) {
    /** The manifest's field. */
    public static final String FIELD = "signature";
    /** Bytes in an Ed25519 signature. */
    public static final int LENGTH = 64;

    private static final Set<String> FIELDS = Set.of("key_id", "ed25519");

    public ManifestSignature {
        java.util.Objects.requireNonNull(keyId, "keyId");
        if (signature.length != LENGTH) {
            throw new IllegalArgumentException(
                    "an Ed25519 signature has " + LENGTH + " bytes, not " + signature.length);
        }
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The signature in base64 (88 characters), as the field holds it. */
    public String base64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    /** The field as the signer writes it after the last field of the signed part: {@code ,"signature":{…}}. */
    String member() {
        return ",\"" + FIELD + "\":{\"key_id\":\"" + keyId.hex() + "\",\"ed25519\":\"" + base64() + "\"}";
    }

    /** {@link #member()} as bytes. */
    byte[] memberBytes() {
        return member().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The signature in {@code value}, the {@code signature} field of the manifest read at
     * {@code where}.
     *
     * @throws BadSignatureException ({@link BadSignatureException.Problem#MALFORMED}) naming the field and what is wrong
     */
    public static ManifestSignature parse(JsonNode value, String where) {
        if (value == null || !value.isObject()) {
            throw malformed(
                    where,
                    "field 'signature' must be an object {\"key_id\": …, \"ed25519\": …}, got "
                            + (value == null ? "nothing" : shown(value)));
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw malformed(
                        where,
                        "field 'signature." + field.getKey() + "' is unknown (a signature has key_id and ed25519)");
            }
        }
        JsonNode id = value.get("key_id");
        if (id == null || id.isNull()) {
            throw malformed(where, "field 'signature.key_id' is missing");
        }
        if (!id.isTextual() || !KeyId.isKeyId(id.asText())) {
            throw malformed(
                    where,
                    "field 'signature.key_id' must be " + KeyId.LENGTH + " lowercase hex digits (the first 8 bytes"
                            + " of the SHA-256 of the signing key's public key), got " + shown(id));
        }
        JsonNode sig = value.get("ed25519");
        if (sig == null || sig.isNull()) {
            throw malformed(where, "field 'signature.ed25519' is missing");
        }
        String expected = "must be a " + LENGTH + "-byte Ed25519 signature in base64 (88 characters), got ";
        if (!sig.isTextual()) {
            throw malformed(where, "field 'signature.ed25519' " + expected + shown(sig));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sig.asText());
        } catch (IllegalArgumentException e) {
            throw malformed(
                    where,
                    "field 'signature.ed25519' " + expected + shown(sig) + " (not base64: " + e.getMessage() + ")");
        }
        if (bytes.length != LENGTH) {
            throw malformed(
                    where, "field 'signature.ed25519' " + expected + shown(sig) + " (" + bytes.length + " bytes)");
        }
        ManifestSignature signature = new ManifestSignature(new KeyId(id.asText()), bytes);
        if (!signature.base64().equals(sig.asText())) {
            // Bits past the 64 bytes that the decoder ignores: another spelling of the same signature.
            throw malformed(
                    where,
                    "field 'signature.ed25519' is not canonical base64 (its last character carries bits past the"
                            + " 64 bytes): got " + shown(sig) + ", the signature's base64 is \"" + signature.base64()
                            + "\"");
        }
        return signature;
    }

    /**
     * The key id the manifest's signature names, if it has a well-formed one — not verified: for
     * a controller deciding whether the manifest in force is signed with its key, and for status.
     */
    public static Optional<KeyId> claimedBy(RulesetManifest manifest) {
        JsonNode value = manifest.extra().get(FIELD);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(value, "manifest").keyId());
        } catch (BadSignatureException e) {
            return Optional.empty();
        }
    }

    private static String shown(JsonNode value) {
        String text = value.toString();
        return text.length() <= 100 ? text : text.substring(0, 97) + "…";
    }

    static BadSignatureException malformed(String where, String what) {
        return new BadSignatureException(
                BadSignatureException.Problem.MALFORMED, where, "manifest at " + where + ": " + what);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestSignature other
                && keyId.equals(other.keyId)
                && java.util.Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ManifestSignature[" + keyId + ", " + base64() + "]";
    }
}

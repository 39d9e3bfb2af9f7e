package org.levee.store.signing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.levee.store.BadManifestException;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;

/**
 * Which bytes of a manifest a signature covers, and how the signature is carried: the signer
 * signs the <em>exact bytes</em> of the manifest without a signature — {@code U}, compact JSON
 * ending in its closing brace, as {@link RulesetManifestJson#encode} writes it — and stores
 * {@code U} with the {@code signature} field spliced in before that closing brace:
 *
 * <pre>
 * U      = {"version":8,"rules":[…],"object":{…},"compiled_at":"…","controller":"ctl-a"}
 * stored = {"version":8,"rules":[…],"object":{…},"compiled_at":"…","controller":"ctl-a","signature":{"key_id":"…","ed25519":"…"}}
 * </pre>
 *
 * So the stored value is still one JSON manifest (etcdctl and readers that predate signatures see
 * one more field, which they keep and ignore), and the signed bytes are recovered without any
 * canonical form of JSON: a verifier takes the stored bytes, checks that they end with exactly
 * the signature field as a signer writes it followed by {@code }}, and puts the brace back in its
 * place. Nothing is re-encoded, so signer and verifier need not agree on how JSON is written (a
 * later Jackson, another language); the price is that the field must be spelled exactly (no
 * spaces, last). The recovered bytes must decode to the same manifest as the stored ones, minus
 * the signature, so what an edge acts on is what was signed.
 */
public final class ManifestSigning {
    private ManifestSigning() {}

    /**
     * A manifest's signed part and its signature.
     *
     * @param bytes the exact bytes the signature covers ({@code U})
     * @param signature the signature field
     */
    public record SignedPart(byte[] bytes, ManifestSignature signature) {
        public SignedPart {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** The manifest's bytes without a signature (any {@code signature} field it carries is left out). */
    public static byte[] unsigned(RulesetManifest manifest) {
        return RulesetManifestJson.encode(manifest.withoutExtra(ManifestSignature.FIELD));
    }

    /** The manifest signed with {@code key}: the bytes to store (any signature it carried is replaced). */
    public static byte[] sign(RulesetManifest manifest, SigningKey key) {
        byte[] unsigned = unsigned(manifest);
        return splice(unsigned, new ManifestSignature(key.id(), key.sign(unsigned)));
    }

    /** {@code unsigned} with {@code signature} spliced in before its closing brace. */
    static byte[] splice(byte[] unsigned, ManifestSignature signature) {
        if (unsigned.length < 2 || unsigned[unsigned.length - 1] != '}') {
            throw new IllegalArgumentException("a signed manifest is compact JSON ending in '}'");
        }
        byte[] member = signature.memberBytes();
        byte[] stored = Arrays.copyOf(unsigned, unsigned.length - 1 + member.length + 1);
        System.arraycopy(member, 0, stored, unsigned.length - 1, member.length);
        stored[stored.length - 1] = '}';
        return stored;
    }

    /**
     * The signed part of {@code stored}, a manifest read at {@code where} that decodes to
     * {@code manifest}; empty when it has no {@code signature} field.
     *
     * @throws BadSignatureException ({@link BadSignatureException.Problem#MALFORMED}) when the
     *     field is not one a signer writes — a part of it missing or malformed, not the last field,
     *     not spelled exactly — naming the field
     */
    public static Optional<SignedPart> signedPart(byte[] stored, RulesetManifest manifest, String where) {
        var field = manifest.extra().get(ManifestSignature.FIELD);
        if (field == null) {
            return Optional.empty();
        }
        ManifestSignature signature = ManifestSignature.parse(field, where);
        byte[] suffix = (signature.member() + "}").getBytes(StandardCharsets.US_ASCII);
        if (stored.length <= suffix.length
                || !Arrays.equals(stored, stored.length - suffix.length, stored.length, suffix, 0, suffix.length)) {
            throw ManifestSignature.malformed(
                    where,
                    "field 'signature' must be the manifest's last field, written exactly as"
                            + " ,\"signature\":{\"key_id\":\"…\",\"ed25519\":\"…\"} with no spaces and followed by the closing '}' alone:"
                            + " the signed bytes are the manifest before it");
        }
        byte[] signed = Arrays.copyOf(stored, stored.length - suffix.length + 1);
        signed[signed.length - 1] = '}';
        RulesetManifest signedManifest;
        try {
            signedManifest = RulesetManifestJson.decode(signed, where + " (its signed part)");
        } catch (BadManifestException e) {
            throw ManifestSignature.malformed(
                    where, "the bytes before field 'signature' are not a manifest: " + e.getMessage());
        }
        if (!RulesetManifestJson.toJson(signedManifest)
                .equals(RulesetManifestJson.toJson(manifest.withoutExtra(ManifestSignature.FIELD)))) {
            throw ManifestSignature.malformed(
                    where, "the bytes before field 'signature' say something else than the manifest");
        }
        return Optional.of(new SignedPart(signed, signature));
    }
}

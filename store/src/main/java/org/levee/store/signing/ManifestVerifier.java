package org.levee.store.signing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.levee.store.PublishedManifest;
import org.levee.store.RulesetManifest;

/**
 * What an edge that trusts some keys accepts: a manifest whose signature ({@link ManifestSigning})
 * names one of them by id and verifies with it over the manifest's signed bytes. Everything else
 * is refused with a {@link BadSignatureException} saying why: not signed, a malformed signature
 * field, a key not trusted here, a signature that does not verify. Thread-safe.
 */
public final class ManifestVerifier {
    private final Map<KeyId, TrustedKey> keys;

    private ManifestVerifier(Map<KeyId, TrustedKey> keys) {
        this.keys = keys;
    }

    /**
     * A verifier trusting {@code keys} (at least one; the same key given twice counts once).
     *
     * @throws IllegalArgumentException when there is no key, or two different keys share an id
     */
    public static ManifestVerifier of(Collection<TrustedKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no trusted keys");
        }
        Map<KeyId, TrustedKey> byId = new LinkedHashMap<>();
        for (TrustedKey key : keys) {
            TrustedKey before = byId.putIfAbsent(key.id(), key);
            if (before != null && !before.key().equals(key.key())) {
                throw new IllegalArgumentException(
                        "two different keys have the id " + key.id() + ": " + before.source() + " and " + key.source());
            }
        }
        return new ManifestVerifier(byId);
    }

    /** The keys trusted, in the order given. */
    public List<TrustedKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The trusted keys as "id (file), …", for messages. */
    public String describe() {
        return keys.values().stream().map(TrustedKey::describe).collect(Collectors.joining(", "));
    }

    /**
     * Checks the manifest read at {@code where}: {@code stored} its bytes, {@code manifest} what they
     * decode to.
     *
     * @return the trusted key whose signature it carries
     * @throws BadSignatureException when it is not signed, its signature field is malformed, the key
     *     is not trusted, or the signature does not verify
     */
    public TrustedKey verify(byte[] stored, RulesetManifest manifest, String where) {
        ManifestSigning.SignedPart part = ManifestSigning.signedPart(stored, manifest, where)
                .orElseThrow(() -> new BadSignatureException(
                        BadSignatureException.Problem.UNSIGNED,
                        where,
                        "manifest at " + where
                                + " is not signed (it has no field 'signature'); this edge applies only rule sets signed by a key it"
                                + " trusts: " + describe()));
        KeyId id = part.signature().keyId();
        TrustedKey key = keys.get(id);
        if (key == null) {
            throw new BadSignatureException(
                    BadSignatureException.Problem.UNTRUSTED_KEY,
                    where,
                    "manifest at " + where + " is signed by key " + id + ", which this edge does not trust (it trusts "
                            + describe() + ")");
        }
        if (!key.verifies(part.bytes(), part.signature().signature())) {
            throw new BadSignatureException(
                    BadSignatureException.Problem.MISMATCH,
                    where,
                    "manifest at " + where
                            + ": the signature by key " + key.describe()
                            + " does not verify: these are not the bytes that key signed"
                            + " (the manifest was changed after signing, or the signature forged)");
        }
        return key;
    }

    /** {@link #verify(byte[], RulesetManifest, String)} of a manifest read from etcd. */
    public TrustedKey verify(PublishedManifest published, String where) {
        return verify(published.json(), published.manifest(), where);
    }
}

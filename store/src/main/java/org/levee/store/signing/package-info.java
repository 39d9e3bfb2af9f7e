/**
 * Signed rule sets (docs/security.md, "Signed rule sets"): the controllers sign each manifest
 * with an Ed25519 key ({@link org.levee.store.signing.SigningKey}), edges accept only manifests
 * signed by a key they trust ({@link org.levee.store.signing.TrustedKey},
 * {@link org.levee.store.signing.ManifestVerifier}). The signature covers the exact bytes of the
 * manifest without it and is carried as the manifest's last field
 * ({@link org.levee.store.signing.ManifestSigning}, {@link org.levee.store.signing.ManifestSignature});
 * keys are named by {@link org.levee.store.signing.KeyId}. The JDK's Ed25519 only; keys are PEM
 * files (PKCS#8 private, X.509 SubjectPublicKeyInfo public) that openssl reads and writes.
 */
package org.levee.store.signing;

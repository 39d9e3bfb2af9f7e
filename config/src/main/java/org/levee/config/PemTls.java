package org.levee.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files, with the JDK alone: a server's from its certificate chain and
 * PKCS#8 private key, a client's from the CA certificates it trusts. The key store is built in
 * memory; nothing is written. Every problem names the file and what is wrong with it.
 */
public final class PemTls {
    private PemTls() {}

    /** The password of the in-memory key store: it never leaves the process, so it protects nothing. */
    private static final char[] IN_MEMORY = "levee".toCharArray();

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    /**
     * A server context presenting the chain in {@code certificateFile} (the server's certificate
     * first, then any intermediates) with the key in {@code keyFile} (PKCS#8 PEM,
     * {@code -----BEGIN PRIVATE KEY-----}: EC, RSA or EdDSA).
     *
     * @throws IllegalArgumentException naming the file and the problem: unreadable, no
     *     certificate, an encrypted or non-PKCS#8 key, a key that is not the certificate's
     */
    public static SSLContext server(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile, chain.getFirst().getPublicKey().getAlgorithm());
        requirePair(chain.getFirst(), certificateFile, key, keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("api", key, IN_MEMORY, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, IN_MEMORY);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    certificateFile + ", " + keyFile + ": cannot make a TLS server of them: " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts the certificates in {@code caFile} (PEM, one or more) and
     * nothing else.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate
     */
    public static SSLContext trusting(Path caFile) {
        List<X509Certificate> cas = certificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(caFile + ": cannot trust these certificates: " + e.getMessage(), e);
        }
    }

    /** The X.509 certificates of a PEM file, in order. */
    public static List<X509Certificate> certificates(Path file) {
        byte[] bytes = bytes(file);
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(
                    file + ": no certificate in it (PEM, -----BEGIN CERTIFICATE----- expected)");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(
                        file + ": no certificate in it (PEM, -----BEGIN CERTIFICATE----- expected)");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM file, for a certificate whose public key is of {@code algorithm}. */
    static PrivateKey privateKey(Path file, String algorithm) {
        String text = new String(bytes(file), StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            String hint = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
                    ? "the key is encrypted: decrypt it (openssl pkcs8 -in " + file + " -out KEY.pem)"
                    : text.contains("-----BEGIN EC PRIVATE KEY-----")
                                    || text.contains("-----BEGIN RSA PRIVATE KEY-----")
                            ? "the key is not PKCS#8: convert it (openssl pkcs8 -topk8 -nocrypt -in " + file
                                    + " -out KEY.pem)"
                            : "no private key in it";
            throw new IllegalArgumentException(file + ": " + hint + " (PKCS#8 PEM, " + KEY_BEGIN + " expected)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the private key is not valid base64: " + e.getMessage(), e);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException(
                    file + ": not a PKCS#8 " + algorithm + " private key (the certificate's key is " + algorithm + "): "
                            + e.getMessage(),
                    e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    file + ": keys of type " + algorithm + " are not supported: " + e.getMessage(), e);
        }
    }

    /** Signs with the key and verifies with the certificate: a key that is not the certificate's is named here, not at the first handshake. */
    private static void requirePair(X509Certificate certificate, Path certificateFile, PrivateKey key, Path keyFile) {
        Optional<String> algorithm = switch (key.getAlgorithm()) {
            case "EC" -> Optional.of("SHA256withECDSA");
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EdDSA", "Ed25519", "Ed448" -> Optional.of(key.getAlgorithm());
            default -> Optional.empty();
        };
        if (algorithm.isEmpty()) {
            return;
        }
        try {
            byte[] probe = "levee: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(
                        keyFile + ": not the private key of the certificate in " + certificateFile + " ("
                                + certificate.getSubjectX500Principal().getName() + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    keyFile + ": cannot check it against " + certificateFile + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it: " + e.getMessage(), e);
        }
    }
}

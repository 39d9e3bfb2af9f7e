package org.levee.store.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The controllers' Ed25519 private key, with its public key and id: it signs manifests
 * ({@link ManifestSigning}). Read from an unencrypted PKCS#8 PEM file
 * ({@code -----BEGIN PRIVATE KEY-----}), as {@code levee keys generate} and
 * {@code openssl genpkey -algorithm ed25519} write it; a file other users may read or write is
 * refused. Uses the JDK's Ed25519 only.
 */
public final class SigningKey {
    /** The PEM label of a private key. */
    public static final String PEM_LABEL = "PRIVATE KEY";

    private static final Set<PosixFilePermission> OTHERS =
            Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    private static final Set<PosixFilePermission> GROUP =
            Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE);

    private final PrivateKey key;
    private final TrustedKey publicKey;
    private final String source;

    private SigningKey(PrivateKey key, TrustedKey publicKey, String source) {
        this.key = key;
        this.publicKey = publicKey;
        this.source = source;
    }

    /** A new key from the JDK's strong random source. */
    public static SigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, SecureRandom.getInstanceStrong());
            KeyPair pair = generator.generateKeyPair();
            return new SigningKey(pair.getPrivate(), TrustedKey.of(pair.getPublic(), "a new key"), "a new key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make Ed25519 keys", e);
        }
    }

    /**
     * The key in {@code file}.
     *
     * @throws KeyFileException naming the file and what is wrong: other users may read or write it,
     *     unreadable, not PEM, encrypted, a public key, not Ed25519
     */
    public static SigningKey read(Path file) {
        Pem.Block block = Pem.decode(Pem.read(file), file);
        switch (block.label()) {
            case PEM_LABEL -> {}
            case "ENCRYPTED PRIVATE KEY" ->
                throw new KeyFileException(
                        file,
                        "is an encrypted private key; Levee reads an"
                                + " unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt -in " + file + ")");
            case "OPENSSH PRIVATE KEY" ->
                throw new KeyFileException(
                        file,
                        "is an OpenSSH key; give a PKCS#8 PEM key"
                                + " (levee keys generate, or openssl genpkey -algorithm ed25519)");
            case TrustedKey.PEM_LABEL ->
                throw new KeyFileException(
                        file,
                        "holds a public key; a controller signs with the"
                                + " private key (signing.key), edges trust the public one");
            default ->
                throw new KeyFileException(
                        file,
                        "holds a PEM '" + block.label() + "' block, not a '" + PEM_LABEL
                                + "' (an unencrypted PKCS#8 Ed25519 key)");
        }
        // After the label: a public key given by mistake is named as such, whatever its mode.
        Optional<String> mode = mode(file, OTHERS);
        if (mode.isPresent()) {
            throw new KeyFileException(
                    file,
                    "other users may read or write this signing key (mode " + mode.get()
                            + "); whoever reads it can sign rule sets every edge runs: chmod 600 " + file);
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(block.der()));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(
                    file,
                    Der.algorithm(block.der(), true)
                            .filter(oid -> !oid.equals(Der.ED25519))
                            .map(oid -> "holds a private key of another algorithm, " + Der.describe(oid)
                                    + "; Levee signs with Ed25519"
                                    + " (levee keys generate, or openssl genpkey -algorithm ed25519)")
                            .orElse("is not an Ed25519 private key (PKCS#8): " + e.getMessage()),
                    e);
        }
        return new SigningKey(key, derivePublic((EdECPrivateKey) key, file), file.toString());
    }

    /**
     * The public key of {@code key}. The JDK has no call for it, but its Ed25519 key-pair
     * generator takes the 32-byte private key from the random source it is given: handed one that
     * returns {@code key}'s bytes, it derives the public key. Checked twice — the generated private
     * key must be {@code key}, and a signature by {@code key} must verify with the result — so a JDK
     * that draws its bytes differently fails here, loudly, rather than sign under a wrong id.
     */
    private static TrustedKey derivePublic(EdECPrivateKey key, Path file) {
        byte[] seed = key.getBytes()
                .orElseThrow(() -> new KeyFileException(file, "the JDK will not show this private key's bytes"));
        SecureRandom fixed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                if (bytes.length != seed.length) {
                    throw new IllegalStateException("the JDK's Ed25519 generator asked for " + bytes.length
                            + " random bytes, not " + seed.length);
                }
                System.arraycopy(seed, 0, bytes, 0, seed.length);
            }
        };
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, fixed);
            KeyPair pair = generator.generateKeyPair();
            byte[] drawn = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
            boolean same = Arrays.equals(drawn, seed);
            Arrays.fill(drawn, (byte) 0);
            TrustedKey derived = TrustedKey.of(pair.getPublic(), file.toString());
            byte[] probe =
                    "levee: does this public key belong to this private key?".getBytes(StandardCharsets.US_ASCII);
            if (!same || !derived.verifies(probe, sign(key, probe))) {
                throw new KeyFileException(file, "cannot derive the public key of this private key with this JDK");
            }
            return derived;
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new KeyFileException(file, "cannot derive the public key of this private key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * The mode of {@code file} ({@code 0644}) when it grants any of {@code bits}; empty when not, or
     * when the file system has no POSIX permissions (or the file cannot be read: reading says so).
     */
    private static Optional<String> mode(Path file, Set<PosixFilePermission> bits) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.stream().noneMatch(bits::contains)) {
                return Optional.empty();
            }
            int mode = 0;
            for (PosixFilePermission bit : p) {
                mode |= 1 << (8 - bit.ordinal()); // OWNER_READ … OTHERS_EXECUTE are bits 8 … 0
            }
            return Optional.of(String.format("%04o", mode));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * A warning when the group of {@code file} may read or write it (allowed: a deployment may
     * share a group with the service), else empty.
     */
    public static Optional<String> groupAccessWarning(Path file) {
        return mode(file, GROUP)
                .map(m -> file + ": its group may read or write this signing key (mode " + m
                        + "); chmod 600 it unless that group is only the controllers'");
    }

    /** The key's id: the id of its public key. */
    public KeyId id() {
        return publicKey.id();
    }

    /** The public key, to give to the edges. */
    public TrustedKey publicKey() {
        return publicKey;
    }

    /** Where the key came from, for messages. */
    public String source() {
        return source;
    }

    /** The Ed25519 signature (64 bytes) of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            return sign(key, message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with Ed25519", e);
        }
    }

    private static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    /** The private key as PKCS#8 PEM, as {@link #read} reads it. */
    public String pem() {
        return Pem.encode(PEM_LABEL, key.getEncoded());
    }

    /**
     * Writes the private key to {@code keyFile} (mode 0600) and the public key to
     * {@code publicFile} (mode 0644); neither may exist.
     *
     * @throws FileAlreadyExistsException when one of them exists (nothing is written)
     */
    public void write(Path keyFile, Path publicFile) throws IOException {
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(publicFile, "publicFile");
        for (Path file : new Path[] {keyFile, publicFile}) {
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(file.toString(), null, "exists; not overwritten");
            }
        }
        write(keyFile, pem(), "rw-------");
        try {
            write(publicFile, publicKey.pem(), "rw-r--r--");
        } catch (IOException e) {
            Files.deleteIfExists(keyFile);
            throw e;
        }
    }

    private static void write(Path file, String text, String mode) throws IOException {
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(mode);
        // Created with its mode, never wider for a moment; CREATE_NEW refuses a file or link already there.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
        Files.setPosixFilePermissions(file, permissions); // the umask may have narrowed the public key's
        Files.writeString(
                file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Override
    public String toString() {
        return "SigningKey[" + id() + " from " + source + "]";
    }
}

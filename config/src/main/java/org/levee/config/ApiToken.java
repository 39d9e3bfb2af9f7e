package org.levee.config;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bearer token of an API, kept in a file: generated on first start (256 bits of
 * {@link SecureRandom}, base64url text, mode 0600, created atomically), replaced by
 * {@link #rotate}, and re-read by a running server when the file changes, so a rotation takes
 * effect at the next request without a restart. Each check costs one {@code stat} of the file.
 * Presented tokens are compared in constant time: both sides are hashed with SHA-256 and the
 * digests compared with {@link MessageDigest#isEqual}, so neither the content nor the length of
 * the token leaks through timing.
 */
public final class ApiToken {
    private static final System.Logger LOG = System.getLogger(ApiToken.class.getName());

    /** The token's file name in a state directory. */
    public static final String FILE_NAME = "api-token";
    /** A generated token's random bytes: 256 bits. */
    public static final int RANDOM_BYTES = 32;
    /** The shortest token accepted from a file someone else wrote. */
    public static final int MIN_LENGTH = 32;
    /** RFC 6750's b64token: what a bearer token may be made of. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Object reloading = new Object();
    private volatile Snapshot current;

    /** What the file held when last read: its identity and times, and the token's digest (null: no valid token). */
    private record Snapshot(Object fileKey, FileTime modified, long size, byte[] digest) {}

    private ApiToken(Path file, Snapshot snapshot) {
        this.file = file;
        this.current = snapshot;
    }

    /**
     * The token in {@code file}, generated there first when the file does not exist (its
     * directory is created if missing).
     *
     * @throws ConfigException naming the file when it cannot be read or written, holds no valid
     *     token, or every user may read it
     */
    public static ApiToken openOrCreate(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                createIfMissing(file);
            }
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot write the API token: " + describe(e)));
        }
        return open(file);
    }

    /**
     * The token in {@code file}, which must exist (a token given in the configuration).
     *
     * @throws ConfigException naming the file when it cannot be read, holds no valid token, or
     *     every user may read it
     */
    public static ApiToken open(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(
                        file.toString(),
                        List.of("every user may read the API token (mode " + octal(mode) + "): chmod 600 " + file));
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            byte[] digest = digest(parse(Files.readString(file, StandardCharsets.US_ASCII)));
            return new ApiToken(
                    file, new Snapshot(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), digest));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.toString(), List.of(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the API token: " + describe(e)));
        }
    }

    /** The file the token is read from. */
    public Path file() {
        return file;
    }

    /**
     * Whether {@code presented} is the token in the file now. The file is re-read when its
     * identity, time or size changed since the last read (a rotation replaces it); while it is
     * missing or holds no valid token, nothing matches.
     */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] expected = refreshed().digest();
        // Hash the presented token even when there is nothing to compare it with: the same work either way.
        byte[] given = digest(presented);
        return expected != null && MessageDigest.isEqual(expected, given);
    }

    private Snapshot refreshed() {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            Snapshot missing = new Snapshot(null, null, -1, null);
            if (current.digest() != null) {
                LOG.log(
                        Level.WARNING,
                        "the API token " + file + " cannot be read (" + describe(e)
                                + "): every request that needs the token is refused until it can");
            }
            current = missing;
            return missing;
        }
        Snapshot seen = current;
        if (Objects.equals(seen.fileKey(), now.fileKey())
                && now.lastModifiedTime().equals(seen.modified())
                && now.size() == seen.size()) {
            return seen;
        }
        synchronized (reloading) {
            Snapshot again = current;
            if (again != seen) {
                return again; // another request re-read it meanwhile
            }
            byte[] digest;
            try {
                digest = digest(parse(Files.readString(file, StandardCharsets.US_ASCII)));
                LOG.log(Level.INFO, "the API token " + file + " changed: the new one is in force");
            } catch (IOException | IllegalArgumentException e) {
                digest = null;
                LOG.log(
                        Level.WARNING,
                        "the API token " + file + " holds no valid token (" + e.getMessage()
                                + "): every request that needs the token is refused until it does");
            }
            Snapshot next = new Snapshot(now.fileKey(), now.lastModifiedTime(), now.size(), digest);
            current = next;
            return next;
        }
    }

    /**
     * The token in {@code file}, for a client on the same machine.
     *
     * @throws ConfigException naming the file when it cannot be read or holds no valid token
     */
    public static String read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.toString(), List.of(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the API token: " + describe(e)));
        }
    }

    /**
     * Replaces the token in {@code file} with a new one (created if there was none): written to
     * a temporary file of mode 0600 beside it, synced, renamed over it and the directory synced,
     * so a reader sees the old token or the new one, never a part. A running server uses the
     * new token from its next request on.
     *
     * @return the new token
     * @throws ConfigException naming the file when it cannot be written
     */
    public static String rotate(Path file) {
        String token = generate();
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = writeTemporary(file, token);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            syncDirectory(directory);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot write the API token: " + describe(e)));
        }
        return token;
    }

    /**
     * Whether {@code text} may be a bearer token (RFC 6750's b64token, at least
     * {@value #MIN_LENGTH} characters): one line, nothing that could break a header.
     */
    public static boolean valid(String text) {
        return text != null
                && text.length() >= MIN_LENGTH
                && B64TOKEN.matcher(text).matches();
    }

    /** 256 bits of {@link SecureRandom} as unpadded base64url (43 characters). */
    static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Writes a new token into {@code file} unless it exists: the temporary file is linked to the
     * name, which fails when the name is taken, so two processes starting at once never replace
     * each other's token and nobody ever reads a half-written file.
     */
    private static void createIfMissing(Path file) throws IOException {
        Path temporary = writeTemporary(file, generate());
        try {
            Files.createLink(file, temporary);
        } catch (FileAlreadyExistsException e) {
            return; // someone else made it first: theirs stands
        } finally {
            Files.deleteIfExists(temporary);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** A new file of mode 0600 beside {@code file} holding {@code token} and a newline, synced. */
    private static Path writeTemporary(Path file, String token) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = directory.resolve("." + file.getFileName() + ".tmp-"
                + ProcessHandle.current().pid() + "-" + Long.toHexString(RANDOM.nextLong()));
        // Created with mode 0600 (the umask can only take bits away): the token is never readable by others.
        try (FileChannel out = FileChannel.open(
                temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            ByteBuffer bytes = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        return temporary;
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The token in a file's text: one line (a final newline allowed), a valid bearer token. */
    private static String parse(String text) {
        String token = text.endsWith("\r\n")
                ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (token.isEmpty()) {
            throw new IllegalArgumentException("the API token file is empty");
        }
        if (!B64TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("not an API token: one line of A-Z a-z 0-9 - . _ ~ + / (RFC 6750),"
                    + " optionally ending in =, expected");
        }
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the API token is " + token.length() + " characters long: at least "
                    + MIN_LENGTH + " are needed (levee api token rotate makes one of 43)");
        }
        return token;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    @Override
    public String toString() {
        return "ApiToken[" + file + "]"; // never the token
    }
}

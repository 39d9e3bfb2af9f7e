package org.levee.agent.fleet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.levee.agent.rules.AtomicFiles;
import org.levee.store.BadManifestException;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetManifestJson;

/**
 * The last rule set an edge applied, kept in its state directory so that it protects again after
 * a restart while etcd cannot be reached: {@code <state dir>/fleet/manifest.json} (the manifest's
 * bytes exactly as etcd held them) and {@code <state dir>/fleet/<sha256>.o} (the object). The
 * object is written first, under its digest, then the manifest, each atomically (temporary file,
 * fsync, rename, fsync of the directory); objects no manifest names are removed afterwards. So a
 * crash at any point leaves a manifest whose object is there.
 */
public final class LastGoodRuleset {
    /** The directory inside the state directory. */
    public static final String DIRECTORY = "fleet";

    public static final String MANIFEST = "manifest.json";
    private static final String OBJECT_SUFFIX = ".o";

    /**
     * A saved rule set.
     *
     * @param manifest the manifest
     * @param manifestJson its bytes as etcd held them
     * @param object the object it names, checked against it
     * @param objectFile where the object is
     */
    public record Saved(RulesetManifest manifest, byte[] manifestJson, byte[] object, Path objectFile) {}

    private final Path directory;

    public LastGoodRuleset(Path stateDir) {
        this.directory = stateDir.resolve(DIRECTORY);
    }

    public Path directory() {
        return directory;
    }

    public Path manifestFile() {
        return directory.resolve(MANIFEST);
    }

    /** Where the object with this digest is kept. */
    public Path objectFile(String sha256) {
        return directory.resolve(sha256 + OBJECT_SUFFIX);
    }

    /**
     * The saved rule set, if there is one.
     *
     * @throws IllegalStateException naming the file and what is wrong with it (unreadable, not a
     *     manifest, object missing, size or digest not the manifest's)
     */
    public Optional<Saved> load() {
        byte[] json;
        try {
            json = Files.readAllBytes(manifestFile());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException(manifestFile() + ": cannot read: " + e.getMessage(), e);
        }
        RulesetManifest manifest;
        try {
            manifest = RulesetManifestJson.decode(json, manifestFile().toString());
        } catch (BadManifestException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Path file = objectFile(manifest.object().sha256());
        byte[] object;
        try {
            object = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(
                    file + ": the object of " + manifestFile() + " cannot be read: " + e.getMessage(), e);
        }
        if (object.length != manifest.object().size()) {
            throw new IllegalStateException(file + ": " + object.length + " bytes, " + manifestFile() + " says "
                    + manifest.object().size());
        }
        String digest = sha256(object);
        if (!digest.equals(manifest.object().sha256())) {
            throw new IllegalStateException(file + ": its SHA-256 is " + digest + ", " + manifestFile() + " says "
                    + manifest.object().sha256());
        }
        return Optional.of(new Saved(manifest, json, object, file));
    }

    /** Keeps {@code object} and its manifest ({@code manifestJson}, naming it) as the last good rule set. */
    public void save(RulesetManifest manifest, byte[] manifestJson, byte[] object) throws IOException {
        String sha = manifest.object().sha256();
        Path file = objectFile(sha);
        AtomicFiles.write(file, object);
        AtomicFiles.write(manifestFile(), manifestJson);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + OBJECT_SUFFIX)) {
            for (Path other : files) {
                if (!other.equals(file)) {
                    Files.deleteIfExists(other);
                }
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

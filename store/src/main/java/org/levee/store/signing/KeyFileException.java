package org.levee.store.signing;

import java.nio.file.Path;

/**
 * A key file that cannot be used: unreadable, not PEM, not an Ed25519 key of the kind asked for,
 * or a private key that other users can read. The message starts with the file.
 */
public final class KeyFileException extends RuntimeException {
    private final transient Path file;

    public KeyFileException(Path file, String what) {
        this(file, what, null);
    }

    public KeyFileException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
        this.file = file;
    }

    /** The file. */
    public Path file() {
        return file;
    }
}

package org.levee.store;

/**
 * The manifest in etcd cannot be used: not JSON, or a field is missing or wrong. The message
 * names the key and the field (e.g. {@code object.sha256}) and what was found there.
 */
public final class BadManifestException extends RuntimeException {
    private final String key;

    public BadManifestException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The etcd key the manifest was read from. */
    public String key() {
        return key;
    }
}

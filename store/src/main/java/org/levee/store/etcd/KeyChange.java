package org.levee.store.etcd;

import java.util.Objects;
import java.util.Optional;

/**
 * One key's change as a watch delivers it.
 *
 * @param type put or delete
 * @param key the key
 * @param revision the revision of the change (for a change found by re-reading, the read's revision when deleted)
 * @param value the key after a put; empty after a delete
 */
public record KeyChange(Type type, String key, long revision, Optional<KeyValue> value) {

    /** What happened to the key. */
    public enum Type {
        PUT,
        DELETE
    }

    public KeyChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if ((type == Type.PUT) != value.isPresent()) {
            throw new IllegalArgumentException("a put carries the value, a delete none: " + type + " " + key);
        }
    }

    static KeyChange put(KeyValue kv) {
        return new KeyChange(Type.PUT, kv.key(), kv.modRevision(), Optional.of(kv));
    }

    static KeyChange delete(String key, long revision) {
        return new KeyChange(Type.DELETE, key, revision, Optional.empty());
    }
}

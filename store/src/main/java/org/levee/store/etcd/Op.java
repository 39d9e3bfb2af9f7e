package org.levee.store.etcd;

import java.util.Objects;

/** One write of a transaction: put a key, or delete a key or every key of a prefix. */
public sealed interface Op {

    /** Put {@code value} at {@code key}, attached to {@code lease} (0: none). */
    record Put(String key, byte[] value, long lease) implements Op {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Delete the keys of {@code keys}. */
    record Delete(KeyRange keys) implements Op {
        public Delete {
            Objects.requireNonNull(keys, "keys");
        }
    }

    static Op put(String key, byte[] value) {
        return new Put(key, value, 0);
    }

    static Op put(String key, byte[] value, long lease) {
        return new Put(key, value, lease);
    }

    static Op delete(String key) {
        return new Delete(KeyRange.key(key));
    }

    static Op deletePrefix(String prefix) {
        return new Delete(KeyRange.prefix(prefix));
    }

    /** The request's size on the wire, near enough to keep a transaction under etcd's request limit. */
    default long approximateBytes() {
        return switch (this) {
            case Put p -> p.key().length() * 3L + p.value().length + 16;
            case Delete d -> d.keys().start().length() * 6L + 16;
        };
    }
}

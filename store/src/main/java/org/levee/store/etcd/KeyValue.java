package org.levee.store.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One key as etcd stores it. Keys are text (Levee's keys are UTF-8 paths); values are bytes.
 *
 * @param key the key
 * @param value the value (owned by this record: do not change it)
 * @param createRevision revision of the put that created the key (since its last deletion)
 * @param modRevision revision of the last put (or, in a delete event, of the delete)
 * @param version number of puts since the key was created (0 in a delete event)
 * @param lease lease the key is attached to, 0 for none
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** The value decoded as UTF-8. */
    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue k
                && key.equals(k.key)
                && Arrays.equals(value, k.value)
                && createRevision == k.createRevision
                && modRevision == k.modRevision
                && version == k.version
                && lease == k.lease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version, lease);
    }

    @Override
    public String toString() {
        return "KeyValue[" + key + ", " + value.length + " bytes, create=" + createRevision + ", mod=" + modRevision
                + ", version=" + version + (lease != 0 ? ", lease=" + Long.toHexString(lease) : "") + "]";
    }
}

package org.levee.store.etcd;

import java.util.List;

/**
 * The keys of a range as of one revision.
 *
 * @param revision the store's revision the keys were read at
 * @param kvs the keys in key order
 */
public record RangeResult(long revision, List<KeyValue> kvs) {
    public RangeResult {
        kvs = List.copyOf(kvs);
    }
}

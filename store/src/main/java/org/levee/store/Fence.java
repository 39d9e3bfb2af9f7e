package org.levee.store;

import java.util.Optional;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;

/**
 * What makes a leader's write safe: the leader key still exists and is the very key this leader
 * created (same create revision). A transaction with this condition cannot succeed once the
 * leader's lease expired or it resigned, even if another controller then became leader and even
 * if the deposed one does not know yet.
 *
 * @param key the leader key
 * @param createRevision the revision at which this leader created it
 * @param holder the leader's identity (for messages)
 */
public record Fence(String key, long createRevision, String holder) {

    /** The transaction condition. */
    public Compare condition() {
        return Compare.createdAt(key, createRevision);
    }

    /** True when etcd still holds this leader's key (a read; the condition is what protects writes). */
    public boolean holds(EtcdClient client) {
        Optional<KeyValue> kv = client.get(key);
        return kv.isPresent() && kv.get().createRevision() == createRevision;
    }

    @Override
    public String toString() {
        return holder + " (" + key + " created at revision " + createRevision + ")";
    }
}

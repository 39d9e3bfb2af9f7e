package org.levee.controller.rules;

import java.util.ArrayList;
import java.util.List;
import org.levee.store.Fence;
import org.levee.store.NotLeaderException;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.TxnResult;

/**
 * The leader's writes: each one a transaction that succeeds only while etcd still holds this
 * leader's key ({@link Fence}), so a controller that was deposed — even one that does not know it
 * yet — writes nothing.
 */
public final class FencedWrites {
    private FencedWrites() {}

    /**
     * Writes {@code ops} if the fence and {@code conditions} hold; returns the revision, or -1 when
     * a condition other than the fence failed.
     *
     * @throws NotLeaderException when the fence no longer holds
     */
    public static long write(EtcdClient client, Fence fence, List<Compare> conditions, List<Op> ops) {
        List<Compare> when = new ArrayList<>(conditions);
        when.add(fence.condition());
        TxnResult result = client.txn(when, ops, List.of());
        if (result.succeeded()) {
            return result.revision();
        }
        if (conditions.isEmpty() || !fence.holds(client)) {
            throw new NotLeaderException("write refused: " + fence + " no longer holds the leader key");
        }
        return -1;
    }
}

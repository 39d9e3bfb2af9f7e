package org.levee.store;

import java.util.Optional;

/**
 * Told about a {@link LeaderElection}'s changes. {@link #elected} and {@link #deposed} come from
 * the election's thread, {@link #leaderChanged} from its watch's thread; keep them short.
 */
public interface LeadershipListener {

    /** This candidate became leader; writes guarded by {@code fence} succeed until it is deposed. */
    void elected(Fence fence);

    /**
     * This candidate is no longer leader (lease lost, key deleted, etcd unreachable for a TTL,
     * or resigned): stop acting as leader now. Fenced writes are refused from the moment it lost.
     */
    void deposed(String why);

    /** The leader key changed: the current leader, whoever it is, or none. */
    default void leaderChanged(Optional<Leader> leader) {}
}

package org.levee.controller.rules;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;

/**
 * The leader's care of the rule sources: rules whose {@code expires} has passed are deleted (the
 * edges already disabled them: the object carries each rule's expiry), and a rule put without
 * {@code created} is written back with the time it was first seen, so that every controller
 * orders it the same way. Each write is fenced and made only if the key was not changed since it
 * was read.
 */
public final class RuleUpkeep {
    private static final System.Logger LOG = System.getLogger(RuleUpkeep.class.getName());

    private final EtcdClient client;
    private final FleetKeys keys;

    public RuleUpkeep(EtcdClient client, FleetKeys keys) {
        this.client = client;
        this.keys = keys;
    }

    /**
     * Deletes expired rules and completes rules without {@code created}; returns how many keys it
     * changed.
     *
     * @throws org.levee.store.NotLeaderException when the fence no longer holds
     */
    public int run(RuleCatalog.Sources sources, Fence fence, Instant now) {
        int changed = 0;
        for (StoredRule r : sources.rules().values()) {
            KeyValue kv = sources.values().get(r.id());
            List<Compare> unchanged = List.of(Compare.modifiedAt(kv.key(), kv.modRevision()));
            if (r.expiredAt(now)) {
                if (FencedWrites.write(client, fence, unchanged, List.of(Op.delete(kv.key()))) > 0) {
                    LOG.log(
                            Level.INFO,
                            "rule {0} expired at {1}: deleted",
                            r.id(),
                            r.rule().expires().orElseThrow());
                    changed++;
                }
            } else if (sources.withoutCreated().contains(r.id())) {
                if (FencedWrites.write(
                                client,
                                fence,
                                unchanged,
                                List.of(Op.put(keys.rule(r.id()), StoredRuleCodec.toBytes(r))))
                        > 0) {
                    changed++;
                }
            }
        }
        return changed;
    }
}

package org.levee.controller.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.controller.rules.Problem;
import org.levee.controller.rules.ProblemsJson;
import org.levee.store.BadManifestException;
import org.levee.store.FleetKeys;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;

/**
 * Reads the fleet's status from etcd alone — the leader key, the manifest, the registrations, the
 * problems the leader wrote — so {@code levee fleet status} works with no controller running.
 */
public final class FleetStatusReader {
    private FleetStatusReader() {}

    /**
     * The status now.
     *
     * @throws org.levee.store.etcd.StoreException when etcd cannot be read
     */
    public static FleetStatus read(EtcdClient client, FleetKeys keys, Instant now) {
        Optional<String> leader = client.get(keys.leader()).map(KeyValue::valueUtf8);
        Optional<RulesetManifest> ruleset = Optional.empty();
        Optional<String> rulesetProblem = Optional.empty();
        Optional<KeyValue> manifest = client.get(keys.ruleset());
        if (manifest.isPresent()) {
            try {
                ruleset = Optional.of(RulesetStore.decode(manifest.get()).manifest());
            } catch (BadManifestException e) {
                rulesetProblem = Optional.of(e.getMessage());
            }
        }
        List<FleetStatus.Node> nodes = new ArrayList<>();
        for (KeyValue kv : client.get(KeyRange.prefix(keys.nodes())).kvs()) {
            Optional<String[]> where = keys.nodeOf(kv.key());
            if (where.isEmpty()) {
                continue;
            }
            String dc = where.get()[0];
            String node = where.get()[1];
            try {
                Registration r = RegistrationJson.decode(kv.value(), kv.key());
                nodes.add(new FleetStatus.Node(
                        dc,
                        node,
                        r.sflowAgent(),
                        r.iface(),
                        r.version(),
                        r.programId(),
                        r.applied(),
                        r.reported(),
                        Optional.empty(),
                        r.signedBy(),
                        r.refused()));
            } catch (IllegalArgumentException e) {
                nodes.add(new FleetStatus.Node(
                        dc,
                        node,
                        Optional.empty(),
                        Optional.empty(),
                        0,
                        0,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(e.getMessage()),
                        Optional.empty(),
                        Optional.empty()));
            }
        }
        List<Problem> problems = List.of();
        Optional<Instant> updated = Optional.empty();
        Optional<KeyValue> report = client.get(keys.problems());
        if (report.isPresent()) {
            try {
                ProblemsJson.Report r = ProblemsJson.decode(report.get().value(), keys.problems());
                problems = r.problems();
                updated = Optional.of(r.updated());
            } catch (IllegalArgumentException e) {
                problems = List.of(new Problem(keys.problems(), Optional.empty(), e.getMessage()));
            }
        }
        return new FleetStatus(now, leader, ruleset, rulesetProblem, nodes, problems, updated);
    }
}

package org.levee.controller.fleet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.levee.controller.rules.ProblemsJson;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.signing.KeyId;
import org.levee.store.signing.ManifestSignature;

/**
 * The fleet status as JSON ({@code GET /fleet}, {@code levee fleet status --json}):
 *
 * <pre>
 * {"leader": "ctl-a",
 *  "ruleset": {"version": 7, "rules": 3, "sha256": "…", "size": 12345, "compiled_at": "…", "controller": "ctl-a",
 *              "signed_by": "a1b2c3d4e5f60718"},
 *  "nodes": [{"datacenter": "ams1", "node": "edge-1", "version": 7, "program_id": 1234,
 *             "applied": 12.5, "last_seen": 0.8, "current": true,
 *             "sflow_agent": "192.0.2.21", "interface": "eth0",
 *             "applied_at": "…", "reported_at": "…", "signed_by": "a1b2c3d4e5f60718", "refused": null}],
 *  "problems": [{"key": "/levee/rules/bad", "rule": "bad", "problem": "filter: …"}],
 *  "at": "…"}
 * </pre>
 *
 * {@code applied} and {@code last_seen} are seconds since the edge applied its rule set and since
 * it last reported (null when it never did); {@code leader} and {@code ruleset} are null when
 * there is none. {@code ruleset.signed_by} is the key id the manifest's signature names (not
 * verified here: the edges verify), null when unsigned; a node's {@code signed_by} the key whose
 * signature it verified, and {@code refused} the set it refused last while it has taken none since:
 * {@code {"reason": "signature", "version": 8, "revision": 15, "message": "…", "at": "…"}}.
 */
public final class FleetStatusJson {
    private FleetStatusJson() {}

    public static ObjectNode write(FleetStatus s) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (s.leader().isPresent()) {
            n.put("leader", s.leader().get());
        } else {
            n.putNull("leader");
        }
        if (s.ruleset().isPresent()) {
            RulesetManifest m = s.ruleset().get();
            ObjectNode r = n.putObject("ruleset");
            r.put("version", m.version());
            r.put("rules", m.rules().size());
            r.put("sha256", m.object().sha256());
            r.put("size", m.object().size());
            r.put("compiled_at", m.compiledAt().toString());
            r.put("controller", m.controller());
            r.put("signed_by", ManifestSignature.claimedBy(m).map(KeyId::hex).orElse(null));
        } else {
            n.putNull("ruleset");
        }
        s.rulesetProblem().ifPresent(p -> n.put("ruleset_problem", p));
        ArrayNode nodes = n.putArray("nodes");
        for (FleetStatus.Node node : s.nodes()) {
            ObjectNode x = nodes.addObject();
            x.put("datacenter", node.datacenter());
            x.put("node", node.node());
            x.put("version", node.version());
            x.put("program_id", node.programId());
            seconds(x, "applied", node.applied(), s.at());
            seconds(x, "last_seen", node.reported(), s.at());
            x.put("current", s.current(node));
            node.sflowAgent().ifPresent(a -> x.put("sflow_agent", a));
            node.iface().ifPresent(i -> x.put("interface", i));
            node.applied().ifPresent(a -> x.put("applied_at", a.toString()));
            node.reported().ifPresent(a -> x.put("reported_at", a.toString()));
            node.problem().ifPresent(p -> x.put("problem", p));
            x.put("signed_by", node.signedBy().orElse(null));
            if (node.refused().isPresent()) {
                x.set("refused", RegistrationJson.refusal(node.refused().get()));
            } else {
                x.putNull("refused");
            }
        }
        n.set("problems", ProblemsJson.list(s.problems()));
        s.problemsUpdated().ifPresent(u -> n.put("problems_updated", u.toString()));
        n.put("at", s.at().toString());
        return n;
    }

    private static void seconds(ObjectNode n, String field, Optional<Instant> since, Instant now) {
        if (since.isEmpty()) {
            n.putNull(field);
        } else {
            n.put(field, Math.round(Duration.between(since.get(), now).toMillis() / 100.0) / 10.0);
        }
    }
}

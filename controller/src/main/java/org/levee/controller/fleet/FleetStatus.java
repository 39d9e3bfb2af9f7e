package org.levee.controller.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.levee.controller.rules.Problem;
import org.levee.store.Registration;
import org.levee.store.RulesetManifest;

/**
 * The fleet as etcd shows it at one moment: who leads, which rule set is in force, every
 * registered edge and whether it runs that rule set, and the rules the leader left out.
 * {@link FleetStatusReader} reads it; {@code GET /fleet} and {@code levee fleet status} show it.
 *
 * @param at when it was read
 * @param leader the leader controller's identity, if there is one
 * @param ruleset the manifest in force, if there is one
 * @param rulesetProblem why the manifest could not be read, if it could not
 * @param nodes every registration, by data center and node
 * @param problems the rules left out of the set, as the leader last wrote them
 * @param problemsUpdated when the leader wrote them
 */
public record FleetStatus(
        Instant at,
        Optional<String> leader,
        Optional<RulesetManifest> ruleset,
        Optional<String> rulesetProblem,
        List<Node> nodes,
        List<Problem> problems,
        Optional<Instant> problemsUpdated) {

    public FleetStatus {
        Objects.requireNonNull(at, "at");
        nodes = List.copyOf(nodes);
        problems = List.copyOf(problems);
    }

    /**
     * One registered edge.
     *
     * @param datacenter its data center
     * @param node its name
     * @param sflowAgent its sFlow agent address
     * @param iface the interface it protects
     * @param version the rule-set version it runs (0: none)
     * @param programId the kernel's id of its program (0: none)
     * @param applied when it applied that version
     * @param reported when it last wrote its registration
     * @param problem why its registration could not be read, if it could not
     * @param signedBy the key whose signature it verified on the set it runs (empty when it checks none)
     * @param refused the set it refused last, while it has taken none since
     */
    public record Node(
            String datacenter,
            String node,
            Optional<String> sflowAgent,
            Optional<String> iface,
            long version,
            long programId,
            Optional<Instant> applied,
            Optional<Instant> reported,
            Optional<String> problem,
            Optional<String> signedBy,
            Optional<Registration.Refusal> refused) {

        public Node {
            Objects.requireNonNull(signedBy, "signedBy");
            Objects.requireNonNull(refused, "refused");
        }

        /**
         * True when it runs the rule set in force ({@code ruleset}'s version) and refused nothing
         * since (a forged manifest may reuse the version it runs).
         */
        public boolean current(Optional<RulesetManifest> ruleset) {
            return problem.isEmpty()
                    && refused.isEmpty()
                    && ruleset.isPresent()
                    && version == ruleset.get().version();
        }
    }

    /** True when {@code node} runs the rule set in force. */
    public boolean current(Node node) {
        return node.current(ruleset);
    }
}

package org.levee.agent.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.levee.dataplane.object.RuleInfo;

/**
 * What an edge of the fleet shows of the fleet in its API, gathered in one moment: the rule set
 * it runs (read-only here: it comes from the controllers through etcd), where that came from, and
 * how the edge's links to the fleet are doing.
 *
 * @param version the manifest's version of the rule set running, empty when none is known
 *     (nothing published yet, or a program adopted from a previous run without its manifest)
 * @param origin where the running rule set came from: {@code etcd}, {@code last-good file},
 *     {@code adopted} (a program a previous run left attached) or {@code none} (an empty set,
 *     before any manifest)
 * @param objectSha256 the SHA-256 of its object, when known
 * @param programId the kernel id of the fleet's program (the main stage)
 * @param applied when this edge swapped it in, if it did
 * @param rules the fleet's rules, each with whether it is enabled in this data center now
 * @param localProgramId the kernel id of the local stage, 0 when it is empty
 * @param watch the watch on the manifest
 * @param registration the edge's registration in etcd
 * @param export the sFlow export
 * @param signing the keys the edge trusts and the one that signed the set it runs
 * @param lastRefused the last rule set it refused, if any
 */
public record FleetView(
        OptionalLong version,
        String origin,
        Optional<String> objectSha256,
        long programId,
        Optional<Instant> applied,
        List<FleetRule> rules,
        long localProgramId,
        Watch watch,
        Registration registration,
        Export export,
        Signing signing,
        Optional<Refused> lastRefused) {

    public FleetView {
        Objects.requireNonNull(origin, "origin");
        rules = List.copyOf(rules);
        Objects.requireNonNull(signing, "signing");
        Objects.requireNonNull(lastRefused, "lastRefused");
    }

    /**
     * @param trustedKeys the ids of the keys whose signatures the edge accepts, each with its file;
     *     empty when it checks no signatures
     * @param signedBy the key whose signature was verified on the set it runs
     */
    public record Signing(List<TrustedKey> trustedKeys, Optional<String> signedBy) {
        public Signing {
            trustedKeys = List.copyOf(trustedKeys);
        }
    }

    /** A trusted key: its id and the file it was read from. */
    public record TrustedKey(String id, String file) {}

    /**
     * @param reason the metric's label ({@code signature}, {@code digest}, …)
     * @param message what was wrong
     * @param version the refused manifest's version (0 when unknown)
     * @param revision its etcd revision (0 when it came from the state directory)
     * @param at when
     */
    public record Refused(String reason, String message, long version, long revision, Instant at) {}

    /** One rule of the fleet's set and whether it is enabled here now. */
    public record FleetRule(RuleInfo rule, boolean enabled) {}

    /**
     * @param connected a watch stream is established
     * @param revision etcd's revision of the last delivery
     * @param reconnects how often the watch had to be established again
     * @param lastError its last failure
     */
    public record Watch(boolean connected, long revision, long reconnects, Optional<String> lastError) {}

    /**
     * @param key the registration's key
     * @param registered the key is in etcd with a live lease
     * @param lastError the last failure
     */
    public record Registration(String key, boolean registered, Optional<String> lastError) {}

    /**
     * @param collectors where datagrams go
     * @param agentAddress the agent address in them (toward the first collector)
     * @param datagrams datagrams sent, summed over collectors
     * @param samples samples in them
     * @param bytes their bytes
     * @param sendErrors datagrams not sent
     * @param samplesDropped samples the exporter's queue refused
     */
    public record Export(
            List<String> collectors,
            String agentAddress,
            long datagrams,
            long samples,
            long bytes,
            long sendErrors,
            long samplesDropped) {
        public Export {
            collectors = List.copyOf(collectors);
        }
    }

    /** The rule with {@code id}, if the fleet's set has it. */
    public Optional<FleetRule> rule(String id) {
        return rules.stream().filter(r -> r.rule().id().equals(id)).findFirst();
    }
}

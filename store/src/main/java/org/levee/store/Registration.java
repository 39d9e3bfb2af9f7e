package org.levee.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An edge's registration at {@code PREFIX nodes/DC/NODE} ({@link NodeRegistration} keeps it
 * alive): who and where the edge is, what it runs, and its counters. {@link RegistrationJson}
 * reads and writes it; controllers read the sFlow agent address from it (to tell the data center
 * of the samples the edge sends), and {@code levee fleet status} the rest.
 *
 * <pre>
 * {"node": "edge-1", "datacenter": "ams1", "sflow_agent": "192.0.2.21", "interface": "eth0",
 *  "version": 7, "program_id": 1234, "applied": "2026-12-07T06:08:13.4Z",
 *  "reported": "2026-12-07T06:10:00Z",
 *  "counters": {"seen": 1000, "dropped": 250, …, "rules": {"syn-flood-1": {"packets": 200, "bytes": 12000}}},
 *  "signed_by": "a1b2c3d4e5f60718",
 *  "refused": {"reason": "signature", "version": 8, "revision": 15, "message": "manifest at /levee/ruleset is not signed …",
 *              "at": "2026-12-07T06:09:30Z"}}
 * </pre>
 *
 * @param node the edge's name (the key's last segment)
 * @param datacenter its data center (the key's middle segment)
 * @param sflowAgent the agent address in the sFlow datagrams it sends (an IP address), if it sends any
 * @param iface the interface it protects
 * @param version the manifest version of the rule set it runs; 0 for none yet
 * @param programId the kernel's id of the program it runs; 0 for none
 * @param applied when it applied that rule set
 * @param reported when it wrote this registration (it rewrites it regularly)
 * @param counters its counters: totals by name and, under {@code rules}, per rule {@code packets}
 *     and {@code bytes}; kept as JSON (an empty object when none)
 * @param signedBy the id of the key whose signature the edge verified on the rule set it runs (empty
 *     when it checks no signatures, or runs no manifest)
 * @param refused the last rule set the edge refused, if it refused one
 */
public record Registration(
        String node,
        String datacenter,
        Optional<String> sflowAgent,
        Optional<String> iface,
        long version,
        long programId,
        Optional<Instant> applied,
        Optional<Instant> reported,
        ObjectNode counters,
        Optional<String> signedBy,
        Optional<Refusal> refused) {

    /**
     * A published rule set the edge refused (it kept the program it ran).
     *
     * @param reason why, as the edge's metric {@code levee_ruleset_refused_total} labels it
     *     ({@code signature}, {@code digest}, …)
     * @param version the refused manifest's version; 0 when it could not be read
     * @param revision the etcd revision of the refused manifest; 0 for a set refused from the edge's disk
     * @param message what was wrong
     * @param at when
     */
    public record Refusal(String reason, long version, long revision, String message, Instant at) {
        public Refusal {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
            if (version < 0 || revision < 0) {
                throw new IllegalArgumentException("refusal: version and revision must not be negative");
            }
        }
    }

    /** A registration that says nothing of signatures or refusals. */
    public Registration(
            String node,
            String datacenter,
            Optional<String> sflowAgent,
            Optional<String> iface,
            long version,
            long programId,
            Optional<Instant> applied,
            Optional<Instant> reported,
            ObjectNode counters) {
        this(
                node,
                datacenter,
                sflowAgent,
                iface,
                version,
                programId,
                applied,
                reported,
                counters,
                Optional.empty(),
                Optional.empty());
    }

    public Registration {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(sflowAgent, "sflowAgent");
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(applied, "applied");
        Objects.requireNonNull(reported, "reported");
        counters = counters == null ? JsonNodeFactory.instance.objectNode() : counters.deepCopy();
        Objects.requireNonNull(signedBy, "signedBy");
        Objects.requireNonNull(refused, "refused");
        if (version < 0 || programId < 0) {
            throw new IllegalArgumentException(
                    "registration of " + node + ": version and program id must not be negative");
        }
    }

    @Override
    public ObjectNode counters() {
        return counters.deepCopy();
    }
}

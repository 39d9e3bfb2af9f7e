package org.levee.agent.fleet;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.levee.agent.rules.AgentJson;
import org.levee.dataplane.Counters;
import org.levee.store.NodeRegistration;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.signing.KeyId;

/**
 * The edge's entry in the fleet's registry, {@code PREFIX nodes/DC/NODE}, attached to a lease of
 * at most 10 s ({@link NodeRegistration}: renewed on its own timer, put again when the lease was
 * lost, revoked on close; a killed edge vanishes within the TTL). The value is JSON that the
 * controllers and {@code levee fleet status} read by these names:
 *
 * <pre>
 * {"node": "edge-1", "datacenter": "ams1", "sflow_agent": "198.18.200.11", "interface": "eth0",
 *  "version": 7, "program_id": 1234, "applied": "2026-12-07T06:08:13.5Z", "reported": "2026-12-07T06:09:01Z",
 *  "counters": {"seen": …, "passed": …, "dropped": …, "ratelimited": …, "sampled": …, "samples_lost": …},
 *  "signed_by": "a1b2c3d4e5f60718",
 *  "refused": {"reason": "signature", "version": 8, "revision": 15, "message": "…", "at": "…"}}
 * </pre>
 *
 * {@code version} is the manifest version of the fleet's rule set the edge runs (null when none
 * is known), {@code applied} when the edge swapped it in (null for a program adopted from a
 * previous run), {@code reported} when this value was written: every few seconds, and right
 * after every swap and every refusal. {@code signed_by} is the key whose signature the edge
 * verified on the set it runs (null when it checks no signatures); {@code refused} the last set it
 * refused while no set was taken since (null otherwise), so {@code levee fleet status} shows why an
 * edge does not run the set in force.
 */
final class EdgeRegistration implements AutoCloseable {

    /** What the registration says of the running program. */
    interface Source {
        RunningRuleset running();

        Counters totals();

        Optional<KeyId> signedBy();

        /** The last refusal while no set was taken since. */
        Optional<RulesetFollower.Refused> standingRefusal();
    }

    private final EtcdClient client;
    private final String key;
    private final String node;
    private final String datacenter;
    private final String sflowAgent;
    private final String iface;
    private final Source source;
    private final Clock clock;
    private NodeRegistration registration;

    EdgeRegistration(
            EtcdClient client,
            String key,
            String node,
            String datacenter,
            String sflowAgent,
            String iface,
            Source source,
            Clock clock) {
        this.client = client;
        this.key = key;
        this.node = node;
        this.datacenter = datacenter;
        this.sflowAgent = sflowAgent;
        this.iface = iface;
        this.source = source;
        this.clock = clock;
    }

    /** Registers (in the background: etcd need not be up) and keeps the key alive with a lease of {@code ttl}. */
    synchronized void start(Duration ttl) {
        registration = NodeRegistration.start(client, key, value(), ttl);
    }

    /** Writes the value again now: after a swap, and every few seconds for {@code reported} and the counters. */
    synchronized void report() {
        if (registration != null) {
            registration.update(value());
        }
    }

    String key() {
        return key;
    }

    NodeRegistration.State state() {
        NodeRegistration r = registration;
        return r == null ? new NodeRegistration.State(false, 0, 0, Optional.empty()) : r.state();
    }

    /** The JSON of the registration now. */
    byte[] value() {
        RunningRuleset running = source.running();
        Counters c = source.totals();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("node", node);
        n.put("datacenter", datacenter);
        n.put("sflow_agent", sflowAgent);
        n.put("interface", iface);
        if (running.version().isPresent()) {
            n.put("version", running.version().getAsLong());
        } else {
            n.putNull("version");
        }
        n.put("program_id", running.programId());
        n.put("applied", running.applied().map(Instant::toString).orElse(null));
        n.put("reported", clock.instant().toString());
        ObjectNode counters = n.putObject("counters");
        counters.put("seen", c.seen());
        counters.put("passed", c.passed());
        counters.put("dropped", c.dropped());
        counters.put("ratelimited", c.ratelimited());
        counters.put("sampled", c.sampled());
        counters.put("samples_lost", c.samplesLost());
        n.put("signed_by", source.signedBy().map(KeyId::hex).orElse(null));
        // The refusal stands until a rule set is taken after it: controllers notify it (ruleset_refused).
        Optional<RulesetFollower.Refused> refused = source.standingRefusal();
        if (refused.isPresent()) {
            RulesetFollower.Refused r = refused.get();
            n.set(
                    "refused",
                    RegistrationJson.refusal(new Registration.Refusal(
                            r.reason().label(), r.version(), r.revision(), r.message(), r.at())));
        } else {
            n.putNull("refused");
        }
        try {
            return AgentJson.MAPPER
                    .writer()
                    .without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
    }

    /** Revokes the lease: the key goes at once (within the TTL when etcd is away). */
    @Override
    public synchronized void close() {
        if (registration != null) {
            registration.close();
        }
    }
}

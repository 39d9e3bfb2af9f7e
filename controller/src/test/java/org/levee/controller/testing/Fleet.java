package org.levee.controller.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.levee.config.EtcdSection;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.store.FleetKeys;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.testing.EtcdHarness;

/**
 * A fleet for the controller's tests: a real etcd (one member), controllers started in this JVM
 * on loopback (sFlow and API on free ports), simulated edges ({@link Edge}) sending to all of
 * them, registrations put as edges would put them. Each controller keeps its state (the API's
 * token) in a temporary directory of the fleet, {@link #stateDir}. {@link #close()} stops
 * everything and deletes them.
 */
public final class Fleet implements AutoCloseable {
    public static final FleetKeys KEYS = FleetKeys.defaults();

    private final EtcdHarness etcd;
    private final EtcdClient client;
    private final List<Controller> controllers = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    private final ExecutorService players = Executors.newCachedThreadPool();

    private final Path states;

    public Fleet() {
        try {
            this.states = Files.createTempDirectory("levee-fleet-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.etcd = EtcdHarness.start(1);
        this.client = etcd.client();
    }

    public EtcdHarness etcd() {
        return etcd;
    }

    public EtcdClient client() {
        return client;
    }

    /** A controller's configuration for tests: named, on free loopback ports, leader TTL 2 s. */
    public static ControllerConfig config(String name) {
        return ControllerConfig.defaults()
                .withName(name)
                .withSflowListen(new InetSocketAddress("127.0.0.1", 0))
                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                .withLeaderTtl(Duration.ofSeconds(2))
                .withEtcd(EtcdSection.none());
    }

    /** Where the controller named {@code name} keeps its state (its API token), if it was started by {@link #start}. */
    public Path stateDir(String name) {
        return states.resolve(name);
    }

    /** Starts a controller with its state in {@link #stateDir} of its name. */
    public Controller start(ControllerConfig config) {
        try {
            Controller c = Controller.start(config.withStateDir(stateDir(config.name())), etcd.settings());
            controllers.add(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An edge with this agent address sending to every controller started so far. */
    public Edge edge(String agent) {
        List<InetSocketAddress> targets =
                controllers.stream().map(Controller::sflowAddress).toList();
        Edge e = new Edge(address(agent), targets);
        edges.add(e);
        return e;
    }

    /** Registers an edge as an agent would: {@code nodes/DC/NODE} with its sFlow agent address. */
    public void register(String datacenter, String node, String agent) {
        Registration r = new Registration(
                node,
                datacenter,
                Optional.of(agent),
                Optional.of("eth0"),
                0,
                0,
                Optional.empty(),
                Optional.of(Instant.now()),
                null);
        client.put(KEYS.node(datacenter, node), RegistrationJson.encode(r));
    }

    /**
     * Registers an edge with its rules' packet counters, as an edge reports them every few
     * seconds ({@code counters.rules.ID.packets}).
     */
    public void report(String datacenter, String node, String agent, java.util.Map<String, Long> rulePackets) {
        com.fasterxml.jackson.databind.node.ObjectNode counters =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        com.fasterxml.jackson.databind.node.ObjectNode rules = counters.putObject("rules");
        rulePackets.forEach(
                (id, packets) -> rules.putObject(id).put("packets", packets).put("bytes", packets * 60));
        Registration r = new Registration(
                node,
                datacenter,
                Optional.of(agent),
                Optional.of("eth0"),
                0,
                0,
                Optional.empty(),
                Optional.of(Instant.now()),
                counters);
        client.put(KEYS.node(datacenter, node), RegistrationJson.encode(r));
    }

    /** Plays flows on edges at the same time; returns when all are done. */
    public void play(List<Runnable> plays) {
        List<Future<?>> running = plays.stream().<Future<?>>map(players::submit).toList();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Plays flows in the background. */
    public Future<?> playInBackground(Runnable play) {
        return players.submit(play);
    }

    /** The rule sources in etcd that are valid stored rules, by key order. */
    public List<StoredRule> rules() {
        List<StoredRule> out = new ArrayList<>();
        for (KeyValue kv : client.get(KeyRange.prefix(KEYS.rules())).kvs()) {
            try {
                out.add(StoredRuleCodec.parse(kv.key(), kv.value(), Optional.of(Instant.EPOCH)));
            } catch (RuntimeException e) {
                // not a valid rule: not listed
            }
        }
        return out;
    }

    /** The manifest in force, if any. */
    public Optional<RulesetManifest> manifest() {
        return new RulesetStore(client, KEYS).current().map(p -> p.manifest());
    }

    /** The object the manifest names, fetched and checked as an edge does. */
    public byte[] object(RulesetManifest m) {
        return new RulesetStore(client, KEYS).fetch(m);
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Override
    public void close() {
        players.shutdownNow();
        edges.forEach(Edge::close);
        controllers.forEach(Controller::close);
        etcd.close();
        try (var files = Files.walk(states)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

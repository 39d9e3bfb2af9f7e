package org.levee.agent.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.FleetConfig;
import org.levee.agent.config.Sampling;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.netns.Netns;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.store.FleetKeys;
import org.levee.store.ObjectRef;
import org.levee.store.RulesetManifest;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;

/** What the edge's tests share: configurations, a publisher standing in for the controller, traffic, an sFlow sink, logs. */
final class FleetFixture {
    private FleetFixture() {}

    static final FleetKeys KEYS = FleetKeys.defaults();

    /** An edge's configuration: fixed 1-in-{@code rate} sampling, API on any port, quick timers for tests. */
    static AgentConfig config(Path state, String datacenter, String node, String etcd, int sflowPort, int rate) {
        FleetConfig fleet = FleetConfig.none()
                .withEtcdEndpoints(etcd)
                .withCollectors(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), sflowPort)))
                .withCounterInterval(Duration.ofSeconds(2))
                .withRegistrationTtl(Duration.ofSeconds(3))
                .withReportInterval(Duration.ofSeconds(1));
        return AgentConfig.defaults()
                .withStateDir(state)
                .withDatacenter(datacenter)
                .withNode(node)
                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                .withSampling(Sampling.fixed(rate))
                .withFleet(fleet);
    }

    /** The rule set of {@code yaml} compiled once, as the controller does, and its ELF bytes. */
    static byte[] compile(String yaml) {
        RuleSet rules = RuleCodec.parse("fleet.yaml", yaml);
        return RuleSetObject.compile(rules, new RuleFilters().compile("fleet.yaml", rules), new ProgramBuilder())
                .toElf();
    }

    /** The manifest of {@code object} as version {@code version}, listing the object's rules. */
    static RulesetManifest manifest(RulesetStore store, long version, byte[] object) {
        List<String> ids = RuleSetObject.fromElf("test", object).rules().stream()
                .map(r -> r.id())
                .toList();
        ObjectRef ref = store.refOf(object);
        return new RulesetManifest(version, ids, ref, Instant.now(), "test-controller");
    }

    /**
     * Publishes {@code yaml} as version {@code version}, as the controller does: chunks and the
     * gzip form's, then the manifest naming both.
     */
    static long publish(EtcdClient client, long version, String yaml) {
        RulesetStore store = new RulesetStore(client, KEYS);
        byte[] object = compile(yaml);
        return store.publish(store.withGzip(manifest(store, version, object), object), object, Optional.empty());
    }

    /** Sends {@code count} UDP datagrams of 32 bytes from namespace {@code from} to {@code host}:{@code port}. */
    static void send(String from, String host, int port, int count) {
        try {
            Netns.run(from, () -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    byte[] payload = new byte[32];
                    for (int i = 0; i < count; i++) {
                        payload[0] = (byte) i;
                        socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(host), port));
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("sending from " + from + ": " + e, e);
        }
    }

    /** A UDP socket bound in namespace {@code ns}: counts what arrives. */
    static DatagramSocket listen(String ns, int port) {
        try {
            return Netns.run(ns, () -> {
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", port));
                socket.setSoTimeout(50);
                return socket;
            });
        } catch (Exception e) {
            throw new IllegalStateException("listening in " + ns + ": " + e, e);
        }
    }

    /** Datagrams waiting on {@code socket} now (it waits 50 ms for each). */
    static int drain(DatagramSocket socket) {
        int n = 0;
        byte[] buffer = new byte[2048];
        while (true) {
            try {
                socket.receive(new DatagramPacket(buffer, buffer.length));
                n++;
            } catch (SocketTimeoutException e) {
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A collector for tests: a UDP socket on loopback keeping every datagram with the time it came. */
    static final class SflowSink implements AutoCloseable {
        record Received(long nanos, byte[] bytes) {}

        private final DatagramSocket socket;
        private final List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread;

        SflowSink() {
            try {
                socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
            thread = Thread.ofPlatform().daemon().name("test-sflow-sink").start(this::run);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void run() {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    received.add(new Received(System.nanoTime(), java.util.Arrays.copyOf(buffer, packet.getLength())));
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Every datagram received so far. */
        List<Received> all() {
            return List.copyOf(received);
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(1_000);
        }
    }
}

package org.levee.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.etcd.StoreException;

/**
 * Real etcd for {@code levee bench fleet}: one or three members ({@code etcd}, Debian's
 * etcd-server) on loopback with free ports and their data in a temporary directory, and
 * optionally one {@code etcd grpc-proxy start} in front of them. {@link #close()} stops every
 * process it started by its PID (SIGTERM, SIGKILL after 5 s) and deletes the directory; a shutdown
 * hook does the same if the JVM exits first.
 *
 * <p>The store module's test harness does the same for tests; this one is main code, for a
 * command, and keeps to what the benchmark needs.
 */
final class EtcdProcesses implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** One process it started, with the port it serves clients on. */
    record Started(String name, Process process, int clientPort, Path log) {
        long pid() {
            return process.pid();
        }
    }

    private final Path dir;
    private final List<Started> members = new ArrayList<>();
    private Started proxy;
    private final Thread cleanup = new Thread(this::stopAll, "levee-bench-etcd-cleanup");

    private EtcdProcesses(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts {@code size} members (1 or 3) and, with {@code proxy}, a grpc-proxy in front of them;
     * returns once every member is healthy and the proxy answers a read.
     *
     * @throws IllegalStateException when {@code etcd} is missing, or a process exits or does not become ready, with the end of its log
     */
    static EtcdProcesses start(int size, boolean proxy) {
        if (size != 1 && size != 3) {
            throw new IllegalArgumentException("etcd members: 1 or 3, not " + size);
        }
        requireOnPath("etcd");
        EtcdProcesses etcd;
        try {
            etcd = new EtcdProcesses(Files.createTempDirectory("levee-bench-etcd-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for etcd's data", e);
        }
        Runtime.getRuntime().addShutdownHook(etcd.cleanup);
        try {
            int[] ports = freePorts(2 * size + 1);
            String token = "levee-bench-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong());
            List<String> cluster = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                cluster.add("m" + i + "=http://127.0.0.1:" + ports[2 * i + 1]);
            }
            for (int i = 0; i < size; i++) {
                etcd.members.add(etcd.member(i, ports[2 * i], ports[2 * i + 1], String.join(",", cluster), token));
            }
            for (Started m : etcd.members) {
                etcd.awaitHealthy(m);
            }
            if (proxy) {
                etcd.proxy = etcd.proxy(ports[2 * size]);
                etcd.awaitProxy();
            }
            return etcd;
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
    }

    /** Every member's client URL, comma-separated (clients connect to all of them). */
    String memberEndpoints() {
        return String.join(
                ",",
                members.stream().map(m -> "http://127.0.0.1:" + m.clientPort()).toList());
    }

    List<Started> members() {
        return List.copyOf(members);
    }

    Optional<Started> proxy() {
        return Optional.ofNullable(proxy);
    }

    /** The grpc-proxy's URL. */
    String proxyEndpoint() {
        return "http://127.0.0.1:"
                + proxy().orElseThrow(() -> new IllegalStateException("no grpc-proxy started"))
                        .clientPort();
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook runs (or ran) anyway
        }
        deleteTree(dir);
    }

    private Started member(int i, int clientPort, int peerPort, String cluster, String token) {
        String name = "m" + i;
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Path log = dir.resolve(name + ".log");
        // Warnings only: etcd's log is written by the process whose bytes written are measured.
        Process p = spawn(
                log,
                "etcd",
                "--name",
                name,
                "--data-dir",
                dir.resolve(name + ".etcd").toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                cluster,
                "--initial-cluster-state",
                "new",
                "--initial-cluster-token",
                token,
                "--logger",
                "zap",
                "--log-outputs",
                "stderr",
                "--log-level",
                "warn");
        return new Started("etcd " + name, p, clientPort, log);
    }

    private Started proxy(int port) {
        String endpoints = String.join(
                ",", members.stream().map(m -> "127.0.0.1:" + m.clientPort()).toList());
        Path log = dir.resolve("proxy.log");
        Process p = spawn(
                log,
                "etcd",
                "grpc-proxy",
                "start",
                "--endpoints=" + endpoints,
                "--listen-addr=127.0.0.1:" + port,
                "--advertise-client-url=127.0.0.1:" + port);
        return new Started("etcd grpc-proxy", p, port, log);
    }

    private Process spawn(Path log, String... command) {
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start " + String.join(" ", List.of(command).subList(0, 2)) + ": " + e.getMessage(), e);
        }
    }

    /** etcd's /health over plain HTTP/1.0 on the client port: healthy once the member has a raft leader. */
    private void awaitHealthy(Started m) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!m.process().isAlive()) {
                throw new IllegalStateException(
                        m.name() + " exited with " + m.process().exitValue() + ":\n" + tail(m.log()));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), m.clientPort())) {
                s.setSoTimeout(2_000);
                s.getOutputStream()
                        .write("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (reply.startsWith("HTTP/1.0 200") && reply.contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(50);
        }
        throw new IllegalStateException(
                m.name() + " not healthy after " + START_TIMEOUT.toSeconds() + " s:\n" + tail(m.log()));
    }

    /** A read through the proxy proves that it listens and reaches the members. */
    private void awaitProxy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (EtcdClient client =
                EtcdClient.connect(EtcdSettings.of(proxyEndpoint()).withRequestTimeout(Duration.ofSeconds(1)))) {
            while (System.nanoTime() < deadline) {
                if (!proxy.process().isAlive()) {
                    throw new IllegalStateException(
                            proxy.name() + " exited with " + proxy.process().exitValue() + ":\n" + tail(proxy.log()));
                }
                try {
                    client.get("/levee-bench-probe");
                    return;
                } catch (StoreException e) {
                    sleep(50);
                }
            }
        }
        throw new IllegalStateException(
                proxy.name() + " not answering after " + START_TIMEOUT.toSeconds() + " s:\n" + tail(proxy.log()));
    }

    private synchronized void stopAll() {
        List<Started> all = new ArrayList<>();
        if (proxy != null) {
            all.add(proxy);
        }
        all.addAll(members);
        for (Started s : all) {
            s.process().destroy(); // SIGTERM to that PID
        }
        for (Started s : all) {
            try {
                if (!s.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    s.process().destroyForcibly();
                    s.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                s.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void requireOnPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return;
            }
        }
        throw new IllegalStateException("'" + command + "' is not on the PATH (Debian: apt-get install etcd-server)");
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // a listening socket that will not close changes nothing here
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger("org.levee.bench")
                    .log(System.Logger.Level.WARNING, "cannot delete " + root + ": " + e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
    }
}

package org.levee.store.testing;

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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.testing.Requirements;

/**
 * Real etcd for tests: 1 or 3 members ({@code /usr/bin/etcd}, Debian's etcd-server) on loopback
 * with free ports and data directories in a temporary directory, optionally an {@code etcd
 * grpc-proxy} in front of them. Members can be stopped (SIGTERM), killed (SIGKILL), started again
 * on the same ports and data, or rebuilt empty; the cluster can be compacted. {@link #close()}
 * kills every process it started, by PID, and deletes the directory; a shutdown hook does the same
 * if the JVM exits first. Clients made by {@link #client()} are closed with it.
 *
 * <p>Missing {@code etcd}/{@code etcdctl} skips the test (fails it with {@code CI=true}).
 */
public final class EtcdHarness implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

    /** One member: its ports, its data, its process when running. */
    public static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        final Path log;
        final String scheme;
        Process process;

        Member(String name, int clientPort, int peerPort, Path dir, boolean tls) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dir.resolve(name + ".etcd");
            this.log = dir.resolve(name + ".log");
            this.scheme = tls ? "https" : "http";
        }

        public String name() {
            return name;
        }

        public String clientUrl() {
            return scheme + "://127.0.0.1:" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }

        public boolean running() {
            return process != null && process.isAlive();
        }

        public long pid() {
            return process.pid();
        }
    }

    private final Path dir;
    private final List<Member> members = new ArrayList<>();
    private final String clusterToken =
            "levee-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final List<EtcdClient> clients = new ArrayList<>();
    private final Thread cleanup = new Thread(this::killAll, "etcd-harness-cleanup");
    private Process proxy;
    private int proxyPort;

    private final List<String> extraFlags;
    private TestCertificates tls;

    private EtcdHarness(Path dir, List<String> extraFlags) {
        this.dir = dir;
        this.extraFlags = List.copyOf(extraFlags);
    }

    /**
     * Starts a cluster of {@code size} members (1 or 3) and waits until every member is healthy;
     * {@code extraFlags} are added to every member's command line (e.g. {@code --auth-token-ttl=60}).
     */
    public static EtcdHarness start(int size, String... extraFlags) {
        return start(size, false, extraFlags);
    }

    /**
     * Like {@link #start}, with TLS on the client port: members present a certificate for
     * 127.0.0.1 from a test CA and require client certificates from it ({@link #certificates()});
     * {@link #settings()} and {@link #etcdctl} use them. No grpc-proxy in this mode.
     */
    public static EtcdHarness startTls(int size, String... extraFlags) {
        return start(size, true, extraFlags);
    }

    private static EtcdHarness start(int size, boolean tls, String... extraFlags) {
        Requirements.command("etcd");
        Requirements.command("etcdctl");
        if (size != 1 && size != 3) {
            throw new IllegalArgumentException("an etcd test cluster has 1 or 3 members, not " + size);
        }
        EtcdHarness harness;
        try {
            harness = new EtcdHarness(Files.createTempDirectory("levee-etcd-"), List.of(extraFlags));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(harness.cleanup);
        try {
            if (tls) {
                Path pki = harness.dir.resolve("pki");
                Files.createDirectories(pki);
                harness.tls = TestCertificates.create(pki);
            }
            int[] ports = freePorts(2 * size);
            for (int i = 0; i < size; i++) {
                harness.members.add(new Member("m" + i, ports[2 * i], ports[2 * i + 1], harness.dir, tls));
            }
            harness.members.forEach(harness::launch);
            for (Member m : harness.members) {
                harness.awaitHealthy(m);
            }
            return harness;
        } catch (IOException e) {
            harness.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            harness.close();
            throw e;
        }
    }

    /** The test PKI of a harness made by {@link #startTls}. */
    public TestCertificates certificates() {
        if (tls == null) {
            throw new IllegalStateException("this harness runs without TLS");
        }
        return tls;
    }

    /** Starts an {@code etcd grpc-proxy} in front of every member and waits until it answers. */
    public EtcdHarness startProxy() {
        if (proxy != null && proxy.isAlive()) {
            throw new IllegalStateException("the grpc-proxy is already running");
        }
        if (tls != null) {
            throw new IllegalStateException("the harness runs no grpc-proxy with TLS");
        }
        if (proxyPort == 0) {
            proxyPort = freePorts(1)[0];
        }
        String endpoints = String.join(
                ",", members.stream().map(m -> "127.0.0.1:" + m.clientPort).toList());
        proxy = spawn(
                dir.resolve("proxy.log"),
                "etcd",
                "grpc-proxy",
                "start",
                "--endpoints=" + endpoints,
                "--listen-addr=127.0.0.1:" + proxyPort,
                "--advertise-client-url=127.0.0.1:" + proxyPort);
        awaitProxy();
        return this;
    }

    /** Kills the grpc-proxy (its clients lose their connections); {@link #startProxy()} brings it back on the same port. */
    public void stopProxy() {
        if (proxy != null) {
            proxy.destroyForcibly();
            waitFor(proxy);
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Every member's client URL, comma-separated (etcdctl's --endpoints). */
    public String endpoints() {
        return String.join(",", members.stream().map(Member::clientUrl).toList());
    }

    /** The grpc-proxy's URL. */
    public String proxyEndpoint() {
        if (proxyPort == 0) {
            throw new IllegalStateException("no grpc-proxy: call startProxy() first");
        }
        return "http://127.0.0.1:" + proxyPort;
    }

    /** Settings for every member directly (with the test CA and client certificate under TLS). */
    public EtcdSettings settings() {
        EtcdSettings plain = EtcdSettings.of(endpoints());
        return tls == null ? plain : plain.withTls(tls.ca(), tls.clientCert(), tls.clientKey());
    }

    /** Settings for the grpc-proxy. */
    public EtcdSettings proxySettings() {
        return EtcdSettings.of(proxyEndpoint());
    }

    /** A client of every member, closed with the harness. */
    public EtcdClient client() {
        return track(EtcdClient.connect(settings()));
    }

    /** A client of the grpc-proxy, closed with the harness. */
    public EtcdClient proxyClient() {
        return track(EtcdClient.connect(proxySettings()));
    }

    /** A client for {@code settings}, closed with the harness. */
    public EtcdClient client(EtcdSettings settings) {
        return track(EtcdClient.connect(settings));
    }

    private synchronized EtcdClient track(EtcdClient client) {
        clients.add(client);
        return client;
    }

    /** Stops member {@code i} cleanly (SIGTERM) and waits for it to exit. */
    public void stop(int i) {
        Member m = members.get(i);
        if (m.running()) {
            m.process.destroy();
            waitFor(m.process);
        }
    }

    /** Kills member {@code i} (SIGKILL), as a crash or power loss would. */
    public void kill(int i) {
        Member m = members.get(i);
        if (m.running()) {
            m.process.destroyForcibly();
            waitFor(m.process);
        }
    }

    /** Starts member {@code i} again with its ports and data and waits until it is healthy. */
    public void restart(int i) {
        Member m = members.get(i);
        if (m.running()) {
            throw new IllegalStateException("member " + m.name + " is running; stop or kill it first");
        }
        launch(m);
        awaitHealthy(m);
    }

    /**
     * Replaces a single-member cluster with an empty one on the same port: every key, lease and
     * revision is gone, as when a cluster is rebuilt from nothing.
     */
    public void rebuild() {
        if (members.size() != 1) {
            throw new IllegalStateException("rebuild() is for a single-member cluster");
        }
        kill(0);
        deleteTree(members.getFirst().dataDir);
        restart(0);
    }

    /** The cluster's current revision (via etcdctl). */
    public long revision() {
        Matcher m =
                REVISION.matcher(etcdctl("endpoint", "status", "--write-out=json", "--endpoints=" + runningEndpoint()));
        if (!m.find()) {
            throw new IllegalStateException("etcdctl endpoint status printed no revision");
        }
        return Long.parseLong(m.group(1));
    }

    /** Compacts the history up to the current revision (via etcdctl); returns that revision. */
    public long compact() {
        long revision = revision();
        etcdctl("compact", Long.toString(revision));
        return revision;
    }

    /**
     * Runs etcdctl against the running members and returns what it printed.
     *
     * @throws AssertionError when etcdctl fails, with its output
     */
    public String etcdctl(String... args) {
        return etcdctlWithInput(new byte[0], args);
    }

    /**
     * Runs etcdctl with {@code input} on its standard input — {@code etcdctl put KEY} reads the
     * value from there, which is how binary values (an object's chunks) are written — and returns
     * what it printed.
     *
     * @throws AssertionError when etcdctl fails, with its output
     */
    public String etcdctlWithInput(byte[] input, String... args) {
        List<String> command =
                new ArrayList<>(List.of("etcdctl", "--endpoints=" + runningEndpoints(), "--command-timeout=10s"));
        command.addAll(tlsFlags());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(input);
            }
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(
                        String.join(" ", command) + " failed: " + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running etcdctl", e);
        }
    }

    /** CPU time (user + system) member {@code i} has used so far, from /proc. */
    public Duration cpuTime(int i) {
        return cpuTime(members.get(i).process);
    }

    /** CPU time (user + system) the grpc-proxy has used so far, from /proc. */
    public Duration proxyCpuTime() {
        return cpuTime(proxy);
    }

    private static Duration cpuTime(Process p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process, closes every client, deletes the directory. */
    @Override
    public void close() {
        synchronized (this) {
            clients.forEach(EtcdClient::close);
            clients.clear();
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
        deleteTree(dir);
    }

    private void killAll() {
        if (proxy != null) {
            proxy.destroyForcibly();
            waitFor(proxy);
        }
        for (Member m : members) {
            if (m.process != null) {
                m.process.destroyForcibly();
                waitFor(m.process);
            }
        }
    }

    private List<String> tlsFlags() {
        return tls == null
                ? List.of()
                : List.of("--cacert=" + tls.ca(), "--cert=" + tls.clientCert(), "--key=" + tls.clientKey());
    }

    private String runningEndpoints() {
        List<String> urls =
                members.stream().filter(Member::running).map(Member::clientUrl).toList();
        return urls.isEmpty() ? endpoints() : String.join(",", urls);
    }

    private String runningEndpoint() {
        return members.stream()
                .filter(Member::running)
                .map(Member::clientUrl)
                .findFirst()
                .orElse(members.getFirst().clientUrl());
    }

    private void launch(Member m) {
        String cluster = String.join(
                ",", members.stream().map(x -> x.name + "=" + x.peerUrl()).toList());
        List<String> command = new ArrayList<>(List.of(
                "etcd",
                "--name",
                m.name,
                "--data-dir",
                m.dataDir.toString(),
                "--listen-client-urls",
                m.clientUrl(),
                "--advertise-client-urls",
                m.clientUrl(),
                "--listen-peer-urls",
                m.peerUrl(),
                "--initial-advertise-peer-urls",
                m.peerUrl(),
                "--initial-cluster",
                cluster,
                "--initial-cluster-state",
                "new",
                "--initial-cluster-token",
                clusterToken,
                "--logger",
                "zap",
                "--log-outputs",
                "stderr"));
        if (tls != null) {
            command.addAll(List.of(
                    "--cert-file",
                    tls.serverCert().toString(),
                    "--key-file",
                    tls.serverKey().toString(),
                    "--trusted-ca-file",
                    tls.ca().toString(),
                    "--client-cert-auth"));
        }
        command.addAll(extraFlags);
        m.process = spawn(m.log, command.toArray(String[]::new));
    }

    private static Process spawn(Path log, String... command) {
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command[0], e);
        }
    }

    private void awaitHealthy(Member m) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!m.process.isAlive()) {
                throw new IllegalStateException(
                        "etcd member " + m.name + " exited with " + m.process.exitValue() + ":\n" + tail(m.log));
            }
            if (tls == null ? healthy(m.clientPort) : healthyOverTls(m)) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException(
                "etcd member " + m.name + " not healthy after " + START_TIMEOUT + ":\n" + tail(m.log));
    }

    /** etcd's /health over plain HTTP/1.0 (the client port serves HTTP next to gRPC): true once it has a leader. */
    private static boolean healthy(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2_000);
            s.getOutputStream()
                    .write("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return reply.startsWith("HTTP/1.0 200") && reply.contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** etcdctl's health check with the test certificates (plain HTTP cannot reach a TLS port). */
    private boolean healthyOverTls(Member m) {
        List<String> command =
                new ArrayList<>(List.of("etcdctl", "--endpoints=" + m.clientUrl(), "--command-timeout=2s"));
        command.addAll(tlsFlags());
        command.addAll(List.of("endpoint", "health"));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return true;
            }
            p.destroyForcibly();
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for etcd", e);
        }
    }

    private void awaitProxy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new IllegalStateException(
                        "etcd grpc-proxy exited with " + proxy.exitValue() + ":\n" + tail(dir.resolve("proxy.log")));
            }
            try {
                // etcdctl through the proxy proves it listens and reaches the cluster.
                List<String> command = List.of(
                        "etcdctl",
                        "--endpoints=" + proxyEndpoint(),
                        "--command-timeout=2s",
                        "get",
                        "/levee-harness-probe");
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the grpc-proxy", e);
            }
            sleep(50);
        }
        throw new IllegalStateException(
                "etcd grpc-proxy not answering after " + START_TIMEOUT + ":\n" + tail(dir.resolve("proxy.log")));
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
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing a listening socket does not fail in a way that matters here
                }
            }
        }
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
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
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}

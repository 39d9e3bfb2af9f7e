package org.levee.lab.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.levee.netns.CommandResult;
import org.levee.netns.LabProcess;

/**
 * A real etcd cluster (Debian's {@code etcd}) of one or more members in the fleet lab's
 * management namespace, each on an address of its own, with data in a temporary directory. A
 * member can be stopped and started again (its data kept), as the fleet demo's faults need.
 */
public final class EtcdCluster implements AutoCloseable {
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    private static final long READY_MILLIS = 20_000;

    private final FleetLab lab;
    private final Path directory;
    private final List<String> addresses;
    private final LabProcess[] members;

    private EtcdCluster(FleetLab lab, Path directory, List<String> addresses) {
        this.lab = lab;
        this.directory = directory;
        this.addresses = List.copyOf(addresses);
        this.members = new LabProcess[addresses.size()];
    }

    /** Starts {@code size} members and waits until the cluster answers. */
    public static EtcdCluster start(FleetLab lab, int size, Path directory) throws Exception {
        if (size < 1 || size > 5) {
            throw new IllegalArgumentException("an etcd cluster of 1 to 5 members, not " + size);
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            addresses.add(lab.addManagementAddress());
        }
        EtcdCluster cluster = new EtcdCluster(lab, directory, addresses);
        try {
            for (int i = 0; i < size; i++) {
                cluster.startMember(i, true);
            }
            cluster.awaitHealthy();
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** The client endpoints, {@code http://A:2379,…}, as etcd clients take them. */
    public String endpoints() {
        return addresses.stream().map(a -> "http://" + a + ":" + CLIENT_PORT).collect(Collectors.joining(","));
    }

    public int size() {
        return members.length;
    }

    /** Stops member {@code i} (SIGTERM), keeping its data. */
    public void stopMember(int i) throws InterruptedException {
        if (members[i] != null) {
            members[i].stop();
            members[i] = null;
        }
    }

    /** Starts member {@code i} again on its data. */
    public void startMember(int i) throws Exception {
        startMember(i, false);
    }

    private void startMember(int i, boolean initial) throws Exception {
        if (members[i] != null && members[i].alive()) {
            return;
        }
        String name = "m" + i;
        String address = addresses.get(i);
        Path data = directory.resolve(name);
        Files.createDirectories(directory);
        String cluster = new StringBuilder()
                .append(java.util.stream.IntStream.range(0, addresses.size())
                        .mapToObj(k -> "m" + k + "=http://" + addresses.get(k) + ":" + PEER_PORT)
                        .collect(Collectors.joining(",")))
                .toString();
        List<String> command = List.of(
                "etcd",
                "--name",
                name,
                "--data-dir",
                data.toString(),
                "--listen-client-urls",
                "http://" + address + ":" + CLIENT_PORT,
                "--advertise-client-urls",
                "http://" + address + ":" + CLIENT_PORT,
                "--listen-peer-urls",
                "http://" + address + ":" + PEER_PORT,
                "--initial-advertise-peer-urls",
                "http://" + address + ":" + PEER_PORT,
                "--initial-cluster",
                cluster,
                "--initial-cluster-token",
                "levee-lab-" + lab.id(),
                "--initial-cluster-state",
                initial ? "new" : "existing",
                "--heartbeat-interval",
                "100",
                "--election-timeout",
                "1000",
                "--logger",
                "zap",
                "--log-level",
                "warn");
        members[i] = lab.spawn("etcd " + name, lab.managementNamespace(), directory.resolve(name + ".log"), command);
    }

    /** Waits until every running member reports healthy. */
    public void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + READY_MILLIS * 1_000_000L;
        String running = running();
        CommandResult r = null;
        while (System.nanoTime() < deadline) {
            r = lab.exec(
                    lab.managementNamespace(),
                    "etcdctl",
                    "--endpoints",
                    running,
                    "--dial-timeout",
                    "1s",
                    "endpoint",
                    "health");
            if (r.succeeded()) {
                return;
            }
            Thread.sleep(200);
        }
        StringBuilder logs = new StringBuilder();
        for (LabProcess m : members) {
            if (m != null) {
                logs.append("\n").append(m.name()).append(": ").append(m.tail(5));
            }
        }
        throw new IllegalStateException("etcd cluster at " + running + " is not healthy after " + READY_MILLIS / 1000
                + " s: " + (r == null ? "" : r.output().strip()) + logs);
    }

    private String running() {
        List<String> up = new ArrayList<>();
        for (int i = 0; i < members.length; i++) {
            if (members[i] != null) {
                up.add("http://" + addresses.get(i) + ":" + CLIENT_PORT);
            }
        }
        return String.join(",", up);
    }

    /** {@code etcdctl} against the cluster, from the management namespace. */
    public CommandResult etcdctl(String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoints()));
        command.addAll(List.of(args));
        return lab.exec(lab.managementNamespace(), command.toArray(String[]::new));
    }

    @Override
    public void close() {
        for (int i = members.length - 1; i >= 0; i--) {
            if (members[i] != null) {
                members[i].close();
                members[i] = null;
            }
        }
    }
}

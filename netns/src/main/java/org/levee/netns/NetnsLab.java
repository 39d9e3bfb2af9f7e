package org.levee.netns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network lab: uniquely named namespaces and veth pairs made with {@code ip}.
 * {@link #close()} deletes every namespace it created (and with them the veths inside), also when
 * setup failed half-way, so use it in try-with-resources. Names carry a random suffix so labs of
 * parallel tests and helpers never collide.
 *
 * <p>A JVM killed outright cannot close its labs. Each lab therefore keeps a record of what it
 * made ({@link LabRecord}, under /run/levee/labs) locked while its JVM lives, and every new lab
 * first removes the labs whose records nobody holds any more.
 */
public final class NetnsLab implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Where each lab keeps the record of what it made, locked while its JVM lives. */
    public static final Path RECORDS = LabRecord.DIRECTORY;
    /** Where iproute2 keeps named namespaces. */
    static final Path NAMESPACES = Path.of("/var/run/netns");

    private static final SecureRandom RANDOM = new SecureRandom();
    /** A record younger than this may be one whose lab is still being set up (made, not yet locked). */
    private static final Duration SETTLED = Duration.ofSeconds(10);

    private final String id;
    /** Null where /run/levee/labs cannot be written (not root): then nothing is recorded. */
    private final LabRecord record;

    private final List<String> namespaces = new ArrayList<>();
    private final List<Path> paths = new ArrayList<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private int veths;
    private boolean closed;

    private NetnsLab(String id, LabRecord record) {
        this.id = id;
        this.record = record;
    }

    /** A new, empty lab with a random 6-hex-digit id, after removing the labs of JVMs that died without closing them. */
    public static NetnsLab create() {
        removeAbandonedLabs(SETTLED);
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        LabRecord record;
        try {
            record = LabRecord.create(LabRecord.DIRECTORY, id);
        } catch (IOException e) {
            record = null;
        }
        return new NetnsLab(id, record);
    }

    /**
     * Removes the namespaces and paths of labs whose JVM died without closing them (their record
     * is no longer locked) and whose record is at least {@code settled} old.
     *
     * @return the ids of the labs removed
     */
    public static List<String> removeAbandonedLabs(Duration settled) {
        return LabRecord.sweep(LabRecord.DIRECTORY, settled);
    }

    /** The lab's random id, part of every name it makes. */
    public String id() {
        return id;
    }

    /** Creates namespace {@code lv-<id>-<role>} with loopback up; returns its name. */
    public String addNamespace(String role) {
        if (!role.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("namespace role '" + role + "' must be 1–12 characters of [a-z0-9]");
        }
        String name = "lv-" + id + "-" + role;
        checkOpen();
        namespaces.add(name); // registered first: close() removes it even if the command half-worked
        record(r -> r.namespace(name));
        run("ip", "netns", "add", name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /**
     * Creates a veth pair with end A in {@code namespaceA} and end B in {@code namespaceB}, gives
     * them the addresses (CIDR) and brings both up.
     */
    public VethPair addVeth(String namespaceA, String addressA, String namespaceB, String addressB) {
        checkOpen();
        requireOwn(namespaceA);
        requireOwn(namespaceB);
        int n = veths++;
        String a = "lv" + id + "a" + n;
        String b = "lv" + id + "b" + n;
        run("ip", "link", "add", a, "netns", namespaceA, "type", "veth", "peer", "name", b, "netns", namespaceB);
        run("ip", "-n", namespaceA, "addr", "add", addressA, "dev", a);
        run("ip", "-n", namespaceB, "addr", "add", addressB, "dev", b);
        run("ip", "-n", namespaceA, "link", "set", a, "up");
        run("ip", "-n", namespaceB, "link", "set", b, "up");
        return new VethPair(namespaceA, a, addressA, namespaceB, b, addressB);
    }

    /** Runs {@code command} inside {@code namespace} ({@code ip netns exec}); does not throw on a non-zero exit. */
    public CommandResult exec(String namespace, String... command) {
        requireOwn(namespace);
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return execute(full);
    }

    /**
     * Starts {@code command} inside {@code namespace} as a process of its own (network namespace
     * only: mounts and /sys stay the host's), its output appended to {@code log}. The lab stops
     * it on close, before removing the namespaces, and a sweep after a crash kills it.
     */
    public LabProcess spawn(String name, String namespace, Path log, List<String> command) throws IOException {
        checkOpen();
        requireOwn(namespace);
        Process p = new ProcessBuilder(LabProcess.command(namespace, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        LabProcess process = new LabProcess(name, p, log);
        processes.add(process);
        record(r -> r.process(process.pid(), process.startTicks()));
        return process;
    }

    /**
     * Removes {@code bpffsPath} (a directory of pins below /sys/fs/bpf, say those of a program
     * attached inside the lab) with the lab, also when its JVM dies without closing it.
     */
    public void removeWithLab(Path bpffsPath) {
        checkOpen();
        paths.add(bpffsPath);
        record(r -> r.path(bpffsPath));
    }

    private interface RecordUpdate {
        void apply(LabRecord record) throws IOException;
    }

    private void record(RecordUpdate update) {
        if (record != null) {
            try {
                update.apply(record);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot update the record of lab " + id + " in " + LabRecord.DIRECTORY, e);
            }
        }
    }

    /** True when network namespace {@code name} exists ({@code /var/run/netns/NAME}, as {@code ip netns add} makes it). */
    public static boolean exists(String name) {
        return java.nio.file.Files.exists(NAMESPACES.resolve(name));
    }

    /** The namespaces this lab made, in creation order. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** Deletes every namespace of the lab; throws after trying all if any deletion failed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String ns = namespaces.get(i);
            if (!NetnsLab.exists(ns)) {
                continue;
            }
            CommandResult r = execute(List.of("ip", "netns", "del", ns));
            if (!r.succeeded()) {
                failures.add(ns + ": " + r.output().strip());
            }
        }
        for (Path path : paths) {
            try {
                PinTrees.remove(path);
            } catch (RuntimeException e) {
                failures.add(path + ": " + e.getMessage());
            }
        }
        if (record != null) {
            try {
                if (failures.isEmpty()) {
                    record.close();
                } else {
                    record.abandon(); // a later lab's sweep tries again
                }
            } catch (IOException e) {
                failures.add("record " + LabRecord.DIRECTORY.resolve(id) + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not remove all of lab " + id + ": " + String.join("; ", failures));
        }
    }

    private void requireOwn(String namespace) {
        if (!namespaces.contains(namespace)) {
            throw new IllegalArgumentException("namespace '" + namespace + "' does not belong to lab " + id);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    private static void run(String... command) {
        CommandResult r = execute(List.of(command));
        if (!r.succeeded()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + r.exitCode() + ": "
                    + r.output().strip());
        }
    }

    static CommandResult execute(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread pump = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(output);
                } catch (IOException ignored) {
                    // the process died; its exit code tells what happened
                }
            });
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                pump.join();
                return new CommandResult(command, -1, "timed out after " + COMMAND_TIMEOUT + "\n" + output);
            }
            pump.join();
            return new CommandResult(command, p.exitValue(), output.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}

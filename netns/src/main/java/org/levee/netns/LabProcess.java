package org.levee.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process a lab started inside one of its namespaces (a service a test or demo needs: etcd, a
 * controller, an edge), with its output in a log file. The lab stops it on close (SIGTERM, then
 * SIGKILL after a grace period) and records its pid, so that a sweep after a crash stops it too.
 */
public final class LabProcess implements AutoCloseable {
    private static final long GRACE_MILLIS = 5_000;

    private final String name;
    private final Process process;
    private final Path log;
    private final long startTicks;

    LabProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startTicks = startTicks(process.pid()).orElse(-1L);
    }

    /** What the lab called it, for messages. */
    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    long startTicks() {
        return startTicks;
    }

    /** Where its standard output and error go. */
    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The underlying process (exit code, waiting). */
    public Process process() {
        return process;
    }

    /** The last {@code lines} lines of its log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL now: the process gets no chance to clean up (a crash, for fault tests). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not exited after the grace period; returns its exit code. */
    public int stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
    static Optional<Long> startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Kills {@code pid} (SIGKILL) if it is still the process that started at {@code startTicks}. */
    static void killIfSame(long pid, long startTicks) {
        if (startTicks(pid).filter(t -> t == startTicks).isEmpty()) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    static List<String> command(String namespace, List<String> command) {
        // nsenter changes only the network namespace: unlike 'ip netns exec' it keeps the host's
        // /sys, so bpffs pins made by the process stay in the host's bpffs and outlive it.
        List<String> full =
                new ArrayList<>(List.of("nsenter", "--net=" + NetnsLab.NAMESPACES.resolve(namespace), "--"));
        full.addAll(command);
        return full;
    }
}

package org.levee.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.levee.netns.CommandResult;
import org.levee.netns.NetnsLab;

/**
 * The kernel thread that polls one veth's receive queue once the device is switched to threaded
 * NAPI ({@code /sys/class/net/DEV/threaded}): a thread of its own, named {@code napi/DEV-ID}, whose
 * CPU time is exactly what receiving (and dropping, or handing to the stack) that device's frames
 * costs, and which can be pinned to a CPU and given a scheduling policy like any thread.
 *
 * @param pid the kernel thread's id in the host's pid namespace
 */
record NapiThread(int pid, String name) {
    private static final Path PROC = Path.of("/proc");

    /**
     * Switches {@code device} of {@code namespace} to threaded NAPI (if it is not yet) and finds
     * its kernel thread, {@code napi/DEV-ID} (the name cut to 15 characters). The device needs a
     * NAPI instance, which a veth has while an XDP program is attached; detaching and attaching
     * again makes a new thread, so look it up after every attach.
     */
    static NapiThread of(NetnsLab lab, String namespace, String device) {
        // /sys/class/net lists the namespace of the process that mounted /sys: ip netns exec mounts the namespace's
        // own.
        CommandResult r = lab.exec(namespace, "sh", "-c", "echo 1 > /sys/class/net/" + device + "/threaded");
        if (!r.succeeded()) {
            throw new IllegalStateException("cannot switch " + device + " in " + namespace + " to threaded NAPI: "
                    + r.output().strip());
        }
        String prefix = ("napi/" + device + "-");
        prefix = prefix.substring(0, Math.min(15, prefix.length()));
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Integer> found = threadsNamed(prefix);
            if (found.size() == 1) {
                int pid = found.getFirst();
                return new NapiThread(pid, comm(pid));
            }
            if (found.size() > 1) {
                throw new IllegalStateException(
                        device + " has " + found.size() + " NAPI threads " + found + "; expected one queue");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + device + "'s NAPI thread", e);
            }
        }
        throw new IllegalStateException("no NAPI thread for " + device + " in " + namespace
                + " (is an XDP program attached? a veth has NAPI only then)");
    }

    /** Nanoseconds this thread has run on a CPU so far ({@code /proc/PID/schedstat}, the scheduler's own clock). */
    long cpuNanos() {
        try {
            return Long.parseLong(
                    Files.readString(PROC.resolve(pid + "/schedstat")).split(" ")[0]);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the CPU time of " + name + " (pid " + pid + "): " + e.getMessage(), e);
        }
    }

    /** SCHED_BATCH: the thread keeps its CPU for longer slices and so polls bigger batches ({@code chrt -b}). */
    void batchScheduling() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("chrt", "-b", "-p", "0", Integer.toString(pid)))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("chrt -b for " + name + " (pid " + pid + ") failed: " + out.strip());
        }
    }

    private static List<Integer> threadsNamed(String prefix) {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path dir : dirs) {
                int pid = Integer.parseInt(dir.getFileName().toString());
                if (comm(pid).startsWith(prefix)) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + ": " + e.getMessage(), e);
        }
        return pids;
    }

    private static String comm(int pid) {
        try {
            return Files.readString(PROC.resolve(pid + "/comm")).strip();
        } catch (NoSuchFileException gone) {
            return "";
        } catch (IOException e) {
            return "";
        }
    }
}

package org.levee.ebpf.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.levee.ebpf.internal.Libc;

/**
 * Runs code inside a named network namespace ({@code /var/run/netns/NAME}, as {@code ip netns add}
 * creates). A namespace belongs to a thread, so the code runs on a new platform thread that joins
 * the namespace with setns(2) and ends afterwards (a virtual thread could hop carriers, and a
 * pooled thread would carry the namespace to unrelated work). Sockets, interface lookups and
 * {@code BPF_LINK_CREATE} by ifindex done by the code act in that namespace; file descriptors and
 * the bpffs at /sys/fs/bpf stay the host's.
 */
public final class Netns {
    private Netns() {}

    /** The directory where iproute2 keeps named namespaces. */
    public static final Path DIRECTORY = Path.of("/var/run/netns");

    /** The bind-mount file of namespace {@code name}. */
    public static Path path(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name '" + name + "'");
        }
        return DIRECTORY.resolve(name);
    }

    /** True when namespace {@code name} exists. */
    public static boolean exists(String name) {
        return Files.exists(path(name));
    }

    /** Runs {@code task} in namespace {@code name} and returns its result; its exception is rethrown as is. */
    public static <T> T run(String name, Callable<T> task) throws Exception {
        Path file = path(name);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no network namespace '" + name + "' (" + file + " is missing)");
        }
        int fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            Thread thread = Thread.ofPlatform().name("netns-" + name).unstarted(() -> {
                try {
                    Libc.setns(fd, Libc.CLONE_NEWNET, "network namespace " + name);
                    result.set(task.call());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.start();
            thread.join();
        } finally {
            Libc.close(fd);
        }
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    /** {@link #run(String, Callable)} for code without a result. */
    public static void run(String name, ThrowingRunnable task) throws Exception {
        run(name, () -> {
            task.run();
            return null;
        });
    }

    /** Code run by {@link #run(String, ThrowingRunnable)}. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}

package org.levee.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command once per notification, with the notification's JSON on its standard input and
 * {@code LEVEE_EVENT} (the kind) and {@code LEVEE_EVENT_ID} (the id) in its environment. The
 * command is run directly (no shell). Exit code 0 is delivered; anything else, or running longer
 * than the timeout, is a failure, reported with the end of its output (standard output and error
 * together). A command that runs too long is stopped with its children (SIGTERM, then SIGKILL half
 * a second later). A command is run once, not retried: a paging script decides itself whether to
 * try again.
 */
public final class CommandSink implements Sink {
    /** How much of a command's output is kept for the log. */
    static final int OUTPUT_TAIL = 2048;

    private static final long KILL_GRACE_MILLIS = 500;

    private final List<String> command;
    private final Duration timeout;

    /**
     * @param command the program and its arguments
     * @param timeout how long it may run
     */
    public CommandSink(List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its program");
        }
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "command";
    }

    @Override
    public String describe() {
        return "command " + command.getFirst();
    }

    @Override
    public Delivery deliver(Notification n, byte[] json) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("LEVEE_EVENT", n.kind().keyword());
        builder.environment().put("LEVEE_EVENT_ID", n.id());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Delivery.failed(1, "cannot start " + command.getFirst() + ": " + e.getMessage());
        }
        // Input and output on threads of their own: a command that reads nothing, or writes a lot,
        // must not block this one past the timeout.
        Thread input = Thread.ofVirtual().name("levee-notify-command-stdin").start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(json);
            } catch (IOException e) {
                // The command closed its input without reading it all: its exit code says how it went.
            }
        });
        Tail output = new Tail(OUTPUT_TAIL);
        Thread reader = Thread.ofVirtual()
                .name("levee-notify-command-output")
                .start(() -> output.drain(process.getInputStream()));
        boolean exited;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!exited) {
            kill(process);
        }
        reader.join(1000);
        closeQuietly(process.getInputStream());
        input.join(1000);
        if (!exited) {
            return Delivery.failed(1, "still running after " + seconds(timeout) + ": stopped" + output.describe());
        }
        int code = process.exitValue();
        return code == 0
                ? Delivery.delivered(1, "exit code 0" + output.describe())
                : Delivery.failed(1, "exit code " + code + output.describe());
    }

    /** Stops the process and every process it started: SIGTERM, then SIGKILL to what is left. */
    private static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> family =
                new java.util.ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_GRACE_MILLIS);
        for (ProcessHandle p : family) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        process.waitFor(1, TimeUnit.SECONDS);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing more to read
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "CommandSink[" + command.getFirst() + ", timeout " + seconds(timeout) + "]";
    }

    /** The last bytes of a stream. */
    private static final class Tail {
        private final byte[] ring;
        private long total;

        Tail(int size) {
            ring = new byte[size];
        }

        void drain(InputStream in) {
            byte[] buffer = new byte[4096];
            try {
                for (int r; (r = in.read(buffer)) > 0; ) {
                    add(buffer, r);
                }
            } catch (IOException e) {
                // closed: the command is gone
            }
        }

        private synchronized void add(byte[] b, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (total++ % ring.length)] = b[i];
            }
        }

        synchronized String describe() {
            if (total == 0) {
                return "";
            }
            int kept = (int) Math.min(total, ring.length);
            byte[] last = new byte[kept];
            for (int i = 0; i < kept; i++) {
                last[i] = ring[(int) ((total - kept + i) % ring.length)];
            }
            String text = new String(last, StandardCharsets.UTF_8).strip().replaceAll("\\p{Cntrl}+", " | ");
            return "; output" + (total > kept ? " (last " + kept + " bytes)" : "") + ": " + text;
        }
    }
}

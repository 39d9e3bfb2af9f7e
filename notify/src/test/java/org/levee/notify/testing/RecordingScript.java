package org.levee.notify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A shell script for tests that records what a notification command gets: it appends its standard
 * input (one JSON document) as one line to {@code received.jsonl} and its environment's
 * {@code LEVEE_EVENT} and {@code LEVEE_EVENT_ID} to {@code environment.txt}, in a directory of
 * the test's, then exits with a chosen code after an optional sleep (run as a child, whose PID it
 * writes to {@code sleeper.pid}, so a test can check it was stopped too).
 */
public final class RecordingScript {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path script;

    private RecordingScript(Path dir, Path script) {
        this.dir = dir;
        this.script = script;
    }

    /** A script in {@code dir} that records and exits 0. */
    public static RecordingScript in(Path dir) {
        return in(dir, 0, 0);
    }

    /** A script in {@code dir} that records, sleeps {@code sleepSeconds} (0: not at all) and exits with {@code exitCode}. */
    public static RecordingScript in(Path dir, int exitCode, int sleepSeconds) {
        Path script = dir.resolve("record-" + exitCode + "-" + sleepSeconds + ".sh");
        String text = """
                #!/bin/sh
                # Records what a notification command gets (test fixture).
                input=$(cat)
                printf '%%s\\n' "$input" >> "%1$s/received.jsonl"
                printf '%%s %%s\\n' "$LEVEE_EVENT" "$LEVEE_EVENT_ID" >> "%1$s/environment.txt"
                echo "recorded $LEVEE_EVENT"
                if [ %2$d -gt 0 ]; then
                  sleep %2$d &
                  echo $! > "%1$s/sleeper.pid"
                  wait
                fi
                echo "exiting with %3$d" >&2
                exit %3$d
                """.formatted(dir, sleepSeconds, exitCode);
        try {
            Files.writeString(script, text);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RecordingScript(dir, script);
    }

    /** The command to configure. */
    public List<String> command() {
        return List.of(script.toString());
    }

    /** Every JSON document received so far, in order. */
    public List<JsonNode> received() {
        Path file = dir.resolve("received.jsonl");
        List<JsonNode> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return out;
            }
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** {@code "KIND ID"} lines of the environment each run saw. */
    public List<String> environments() {
        try {
            Path file = dir.resolve("environment.txt");
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PID of the last sleeping child, if one was started. */
    public long sleeperPid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("sleeper.pid")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

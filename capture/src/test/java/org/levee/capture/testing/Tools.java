package org.levee.capture.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tshark, capinfos and tcpdump on capture files and returns their output. */
public final class Tools {
    private Tools() {}

    /** tshark's fields, one row per packet, tab-separated columns in the order given. */
    public static List<String[]> tsharkFields(Path file, String... fields) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=/t"));
        for (String f : fields) {
            command.add("-e");
            command.add(f);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : run(command).lines().toList()) {
            rows.add(Arrays.copyOf(line.split("\t", -1), fields.length));
        }
        return rows;
    }

    /** Output of {@code command}; fails when it exits non-zero. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    command + " exited with " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    public static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }
}

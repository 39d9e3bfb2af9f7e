package org.levee.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles C for the BPF target with clang and extracts one section's bytes with llvm-objcopy. */
final class Clang {
    private Clang() {}

    /** The instructions of section {@code section} of {@code source} compiled with {@code clang -O2 -target bpf}. */
    static byte[] compileSection(String source, String section, Path workDirectory)
            throws IOException, InterruptedException {
        Path c = Files.createTempFile(workDirectory, "filter", ".c");
        Path object = Path.of(c.toString().replace(".c", ".o"));
        Path binary = Path.of(c.toString().replace(".c", ".bin"));
        Files.writeString(c, source);
        run(
                List.of(
                        "clang",
                        "-O2",
                        "-target",
                        "bpf",
                        "-Wall",
                        "-Werror",
                        "-c",
                        c.toString(),
                        "-o",
                        object.toString()),
                source);
        run(
                List.of(
                        "llvm-objcopy",
                        "-O",
                        "binary",
                        "--only-section=" + section,
                        object.toString(),
                        binary.toString()),
                source);
        return Files.readAllBytes(binary);
    }

    private static void run(List<String> command, String source) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output + "\nsource:\n" + source);
        }
    }
}

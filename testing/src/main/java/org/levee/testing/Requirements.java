package org.levee.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine: root, a command, a shared library. Outside CI a missing
 * requirement skips the test; with {@code CI=true} it fails it, because a skipped kernel test
 * proves nothing.
 */
public final class Requirements {
    private Requirements() {}

    /** True when running under CI ({@code CI=true}). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, in CI, fails) the calling test with {@code why} unless {@code ok}. */
    public static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI=true and this test cannot run: " + why);
        }
        Assumptions.abort(why);
    }

    /** Root (effective uid 0): needed for bpf(), XDP, network namespaces. */
    public static void root() {
        require(effectiveUid() == 0, "needs root (bpf(), XDP, network namespaces)");
    }

    /** An executable on the PATH, e.g. {@code tcpdump}. */
    public static void command(String name) {
        require(onPath(name), "needs the command '" + name + "' (./test installs it)");
    }

    /** A shared library the dynamic linker can find, e.g. {@code libpcap.so.0.8}. */
    public static void library(String soname) {
        boolean found = false;
        for (String dir : new String[] {
            "/usr/lib/x86_64-linux-gnu",
            "/lib/x86_64-linux-gnu",
            "/usr/lib",
            "/lib",
            "/usr/lib/aarch64-linux-gnu",
            "/lib/aarch64-linux-gnu"
        }) {
            found |= Files.exists(Path.of(dir, soname));
        }
        require(found, "needs the shared library " + soname + " (./test installs it)");
    }

    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

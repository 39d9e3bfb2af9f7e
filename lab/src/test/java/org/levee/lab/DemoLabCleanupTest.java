package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.netns.Netns;
import org.levee.testing.Requirements;

/** Ctrl-C (SIGINT) on a JVM holding a demo lab removes the lab: the shutdown hook closes it. */
@Tag("kernel")
class DemoLabCleanupTest {
    @Test
    void interruptingTheJvmRemovesTheLab() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("kill");
        Requirements.command("env");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // SIGINT restored to its default first: a test run started in the background of a
        // non-interactive shell (nohup … &, as CI scripts do) inherits it ignored, and then the
        // JVM installs no handler for it and Ctrl-C cannot reach the shutdown hook.
        Process holder = new ProcessBuilder(
                        "env",
                        "--default-signal=INT",
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LabHolder.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> namespaces = List.of();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("namespaces printed by the lab holder").isNotNull();
            namespaces = List.of(line.split(" "));
            assertThat(namespaces)
                    .hasSize(4)
                    .allSatisfy(ns -> assertThat(Netns.exists(ns)).as(ns).isTrue());

            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(holder.pid()))
                    .inheritIO()
                    .start();
            assertThat(kill.waitFor()).isZero();
            assertThat(holder.waitFor(20, TimeUnit.SECONDS))
                    .as("holder exits on SIGINT")
                    .isTrue();
            assertThat(namespaces)
                    .allSatisfy(ns -> assertThat(Netns.exists(ns))
                            .as(ns + " after SIGINT")
                            .isFalse());
        } finally {
            holder.destroyForcibly();
            for (String ns : namespaces) {
                if (Netns.exists(ns)) {
                    new ProcessBuilder("ip", "netns", "del", ns)
                            .inheritIO()
                            .start()
                            .waitFor();
                }
            }
        }
    }
}

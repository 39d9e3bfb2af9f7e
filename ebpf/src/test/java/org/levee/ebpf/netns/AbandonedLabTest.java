package org.levee.ebpf.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.BpfFs;
import org.levee.netns.NetnsLab;
import org.levee.testing.Requirements;

/**
 * A JVM killed outright (SIGKILL: no shutdown hook runs) leaves its lab behind; the next lab's
 * sweep removes it, and never a lab whose JVM still lives.
 */
@Tag("kernel")
class AbandonedLabTest {
    @Test
    void theLabOfAKilledJvmIsRemovedAndLiveLabsAreNot() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AbandonedLabHolder.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String ns = null;
        Path pins = null;
        try (NetnsLab mine = NetnsLab.create()) {
            String myNamespace = mine.addNamespace("mine");
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).as("what the holder made").isNotNull();
            String[] made = line.split(" ");
            String id = made[0];
            ns = made[1];
            pins = Path.of(made[2]);
            assertThat(Netns.exists(ns)).isTrue();
            assertThat(pins).isDirectory();

            assertThat(NetnsLab.removeAbandonedLabs(Duration.ZERO))
                    .as("labs of living JVMs")
                    .doesNotContain(id, mine.id());
            assertThat(Netns.exists(ns)).isTrue();
            assertThat(Netns.exists(myNamespace)).isTrue();

            holder.destroyForcibly(); // SIGKILL
            assertThat(holder.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Netns.exists(ns))
                    .as("a killed JVM removes nothing itself")
                    .isTrue();

            assertThat(NetnsLab.removeAbandonedLabs(Duration.ZERO)).contains(id).doesNotContain(mine.id());
            assertThat(Netns.exists(ns)).as(ns + " after the sweep").isFalse();
            assertThat(pins).as("the lab's bpffs directory after the sweep").doesNotExist();
            assertThat(Netns.exists(myNamespace)).isTrue();
            assertThat(NetnsLab.removeAbandonedLabs(Duration.ZERO))
                    .as("a second sweep")
                    .doesNotContain(id);
        } finally {
            holder.destroyForcibly();
            if (ns != null && Netns.exists(ns)) {
                new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
            }
            if (pins != null && Files.exists(pins)) {
                BpfFs.removeTree(pins);
            }
        }
    }

    @Test
    void aClosedLabLeavesNoRecord() {
        Requirements.root();
        Requirements.command("ip");
        String id;
        try (NetnsLab lab = NetnsLab.create()) {
            id = lab.id();
            lab.addNamespace("x");
            assertThat(NetnsLab.RECORDS.resolve(id + ".lab")).exists();
        }
        assertThat(NetnsLab.RECORDS.resolve(id + ".lab")).doesNotExist();
    }
}

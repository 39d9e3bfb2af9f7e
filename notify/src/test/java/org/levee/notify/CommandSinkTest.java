package org.levee.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.notify.testing.RecordingScript;

class CommandSinkTest {
    @TempDir
    Path dir;

    private final Notification event = Events.random(new SplittableRandom(7), EventKind.RULE_RETIRED, 7);

    @Test
    void aFailingCommandReportsItsExitCodeAndOutput() throws Exception {
        RecordingScript script = RecordingScript.in(dir, 3, 0);
        Delivery d = new CommandSink(script.command(), Duration.ofSeconds(5))
                .deliver(event, NotificationJson.toBytes(event));
        assertThat(d.delivered()).isFalse();
        assertThat(d.detail()).isEqualTo("exit code 3; output: recorded rule_retired | exiting with 3");
        assertThat(script.received())
                .map(Object::toString)
                .containsExactly(NotificationJson.write(event).toString());
    }

    @Test
    void aCommandThatRunsTooLongIsStoppedWithItsChildren() throws Exception {
        RecordingScript script = RecordingScript.in(dir, 0, 60);
        long start = System.nanoTime();
        Delivery d = new CommandSink(script.command(), Duration.ofMillis(500))
                .deliver(event, NotificationJson.toBytes(event));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(d.delivered()).isFalse();
        assertThat(d.detail()).startsWith("still running after 500 ms: stopped");
        assertThat(millis).isLessThan(5_000);
        NotifierTest.waitFor(
                () -> ProcessHandle.of(script.sleeperPid())
                        .map(p -> !p.isAlive())
                        .orElse(true),
                Duration.ofSeconds(5));
    }

    @Test
    void aMissingProgramIsAFailureNamingIt() throws Exception {
        Delivery d = new CommandSink(List.of(dir.resolve("nothing-here").toString()), Duration.ofSeconds(1))
                .deliver(event, NotificationJson.toBytes(event));
        assertThat(d.delivered()).isFalse();
        assertThat(d.detail()).startsWith("cannot start " + dir.resolve("nothing-here"));
    }
}

package org.levee.cli.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.capture.CaptureFilter;
import org.levee.capture.CaptureSession;
import org.levee.capture.testing.Frames;
import org.levee.capture.testing.TestDataPlane;
import org.levee.capture.testing.Tools;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cli.CliRun;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
import org.levee.testing.Requirements;

/**
 * {@code levee capture} in-process and as a child process, against a stand-in data plane that
 * drops {@code udp dst port 9}; packets go through it with test runs, which tail-call the hook
 * like real traffic does.
 */
@Tag("kernel")
class CaptureCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private TestDataPlane plane;

    @BeforeEach
    void setUp() {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        plane = TestDataPlane.create("udp dst port 9", "cli-" + HexFormat.of().formatHex(r));
    }

    @AfterEach
    void tearDown() {
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    void printsOneSummaryLinePerMatchingPacketAndStopsAfterTheCount() throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
                () -> CliRun.of("capture", "--hook", plane.hookPath.toString(), "-c", "4", "-q", "udp"));
        awaitSlot(XdpAction.DROP);
        awaitSlot(XdpAction.PASS);
        for (int i = 0; i < 2; i++) {
            send(Frames.ipv4(Frames.TCP, 7000, 9, new byte[5])); // not udp: filtered out
            send(Frames.ipv4(Frames.UDP, 5000 + i, 9, new byte[10]));
            send(Frames.ipv4(Frames.UDP, 6000 + i, 10, new byte[20]));
        }
        CliRun result = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().toList())
                .hasSize(4)
                .satisfiesExactly(
                        l -> assertThat(l)
                                .matches(
                                        "\\d\\d:\\d\\d:\\d\\d\\.\\d{9} drop IP 192\\.0\\.2\\.1\\.5000 > 192\\.0\\.2\\.2\\.9: UDP, length 52"),
                        l -> assertThat(l).endsWith(" pass IP 192.0.2.1.6000 > 192.0.2.2.10: UDP, length 62"),
                        l -> assertThat(l).endsWith(" drop IP 192.0.2.1.5001 > 192.0.2.2.9: UDP, length 52"),
                        l -> assertThat(l).endsWith(" pass IP 192.0.2.1.6001 > 192.0.2.2.10: UDP, length 62"));
        assertThat(plane.hookEmpty()).isTrue();
    }

    @Test
    void countersGoToStderrOnceASecondUnlessQuiet() throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(
                "capture",
                "--hook",
                plane.hookPath.toString(),
                "--actions",
                "drop",
                "-c",
                "3",
                "--cbpf",
                "4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0"));
        awaitSlot(XdpAction.DROP);
        send(Frames.ipv4(Frames.UDP, 5000, 10, new byte[1])); // passed: not captured
        send(Frames.ipv4(Frames.UDP, 5000, 9, new byte[1]));
        Thread.sleep(2000); // the capture runs > 1 s: at least one periodic line before the final one
        send(Frames.ipv4(Frames.UDP, 5000, 9, new byte[1]));
        send(Frames.ipv4(Frames.UDP, 5000, 9, new byte[1]));
        CliRun result = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.err().lines().toList();
        assertThat(lines.getFirst())
                .isEqualTo("levee capture: capturing drop at " + plane.hookPath
                        + " matching '4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0', snaplen 65535");
        assertThat(lines.subList(1, lines.size()))
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).matches("drop: [0-3] received, [0-3] matched, 0 lost"));
        assertThat(lines.getLast()).isEqualTo("drop: 3 received, 3 matched, 0 lost");
        assertThat(result.out().lines())
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).contains(" drop IP "));
    }

    @Test
    void badInputIsOneLineNamingTheProblem() {
        assertError(
                List.of("capture", "-i", "lvnone", "--netns", "nothere"),
                "levee capture: no xdpcap hook at /sys/fs/bpf/levee/nothere/lvnone/xdpcap_hook: attach the data plane first");
        assertError(
                List.of("capture", "--hook", plane.hookPath.toString(), "--actions", "drop,fly"),
                "--actions: action 2 of 'drop,fly' is 'fly': expected one of aborted, drop, pass, tx, redirect");
        assertError(
                List.of("capture", "--hook", plane.hookPath.toString(), "--cbpf", "1,6 0 0 1", "udp"),
                "give either a filter expression or --cbpf, not both");
        assertError(
                List.of("capture", "--hook", plane.hookPath.toString(), "udp", "and"),
                "filter: libpcap cannot compile 'udp and'");
        assertError(
                List.of("capture", "--hook", plane.hookPath.toString(), "--snaplen", "0"),
                "--snaplen: 0 is outside 1..262144");
        assertError(List.of("capture"), "give -i IFACE (or --hook PATH)");
        assertError(List.of("capture", "--hook", dir.resolve("x").toString()), "no xdpcap hook at " + dir.resolve("x"));
        assertThat(plane.hookEmpty()).isTrue();
    }

    @Test
    void aTakenSlotNamesItsHolder() {
        try (CaptureSession other = CaptureSession.start(
                CaptureSession.Spec.of(plane.hookPath, Set.of(XdpAction.PASS), CaptureFilter.ALL))) {
            int id = other.program(XdpAction.PASS).info().id();
            assertError(
                    List.of("capture", "--hook", plane.hookPath.toString()),
                    "the pass slot of " + plane.hookPath + " is taken by program 'xdpcap_pass' (id " + id);
            assertThat(plane.hook.lookup(BpfMap.intBytes(XdpAction.DROP.code())))
                    .as("nothing left behind")
                    .isEmpty();
        }
    }

    @Test
    void sigtermEmptiesTheHookAndEndsTheFileOnAWholeBlock() throws Exception {
        Requirements.command("tshark");
        Path file = dir.resolve("out.pcapng");
        Process capture = child("capture", "--hook", plane.hookPath.toString(), "-w", file.toString(), "-q", "udp");
        try {
            awaitSlot(XdpAction.DROP, capture);
            awaitSlot(XdpAction.PASS, capture); // both slots: the capture takes them one after the other
            for (int i = 0; i < 10; i++) {
                send(Frames.ipv4(Frames.UDP, 5000, 9 + i % 2, new byte[i]));
            }
            capture.destroy(); // SIGTERM: the packets are in the ring buffer, the capture writes them before it ends
            assertThat(capture.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            capture.destroyForcibly();
        }
        assertThat(plane.hookEmpty()).isTrue();
        List<String[]> rows = Tools.tsharkFields(file, "frame.interface_name", "udp.dstport");
        assertThat(rows).hasSize(10);
        assertThat(rows.stream().filter(r -> r[0].equals("XDPdrop") && r[1].equals("9")))
                .hasSize(5);
        assertThat(rows.stream().filter(r -> r[0].equals("XDPpass") && r[1].equals("10")))
                .hasSize(5);
    }

    @Test
    void sigkillLeavesTheSlotTakenAndTheNextCaptureSaysHowToClearIt() throws Exception {
        Process capture = child("capture", "--hook", plane.hookPath.toString(), "--actions", "tx", "-q");
        try {
            awaitSlot(XdpAction.TX, capture);
            capture.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(capture.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            capture.destroyForcibly();
        }
        assertThat(plane.hookEmpty()).as("a killed capture cannot clean up").isFalse();
        assertError(
                List.of("capture", "--hook", plane.hookPath.toString(), "--actions", "tx"),
                "is taken by program 'xdpcap_tx'");
        assertThat(CliRun.of("capture", "--hook", plane.hookPath.toString(), "--actions", "tx")
                        .err())
                .contains("bpftool map delete pinned " + plane.hookPath + " key 3 0 0 0");
        plane.hook.delete(BpfMap.intBytes(XdpAction.TX.code()));
    }

    @Test
    void theStdoutStreamIsReadableByTcpdumpWhileTheCaptureRuns() throws Exception {
        Requirements.command("tcpdump");
        Process capture = child("capture", "--hook", plane.hookPath.toString(), "-w", "-", "-q");
        Process tcpdump = new ProcessBuilder("tcpdump", "-nn", "-l", "-r", "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Thread pipe =
                    Thread.ofPlatform().daemon().start(() -> copy(capture.getInputStream(), tcpdump.getOutputStream()));
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon().start(() -> readLines(tcpdump.getInputStream(), lines));
            awaitSlot(XdpAction.DROP, capture);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                send(Frames.ipv4(Frames.UDP, 4000 + i, 9, new byte[4]));
                String line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).as("tcpdump's line for packet %d", i).isNotNull();
                seen.add(line);
                assertThat(capture.isAlive()).as("the capture still runs").isTrue();
            }
            assertThat(seen).allSatisfy(l -> assertThat(l).contains("> 192.0.2.2.9: UDP, length 4"));
            capture.destroy();
            assertThat(capture.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            pipe.join(WAIT.toMillis());
            assertThat(tcpdump.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(tcpdump.exitValue())
                    .as("tcpdump read a well-formed stream to its end")
                    .isZero();
        } finally {
            capture.destroyForcibly();
            tcpdump.destroyForcibly();
        }
        assertThat(plane.hookEmpty()).isTrue();
    }

    private void send(byte[] frame) {
        plane.program.testRun(TestRun.of(frame));
    }

    private void awaitSlot(XdpAction action) throws InterruptedException {
        awaitSlot(action, null);
    }

    /** Waits until a capture program sits in {@code action}'s slot. */
    private void awaitSlot(XdpAction action, Process process) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (plane.hook.lookup(BpfMap.intBytes(action.code())).isEmpty()) {
            if (process != null && !process.isAlive()) {
                throw new AssertionError("the capture exited with " + process.exitValue() + ": " + stderr(process));
            }
            assertThat(System.nanoTime()).as("capture started within " + WAIT).isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static void assertError(List<String> args, String message) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message);
        assertThat(run.err().lines()).hasSize(1);
    }

    /** {@code levee ARGS} in a new JVM with the test class path; stderr goes to a file. */
    private Process child(String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                "org.levee.cli.Main"));
        command.addAll(List.of(args));
        File err = dir.resolve("stderr-" + System.nanoTime()).toFile();
        return new ProcessBuilder(command).redirectError(err).start();
    }

    private String stderr(Process process) {
        try (var files = Files.list(dir)) {
            StringBuilder s = new StringBuilder();
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("stderr-"))
                    .toList()) {
                s.append(Files.readString(p));
            }
            return s.toString();
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buffer = new byte[8192];
        try (in;
                out) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side ended: the test's assertions say whether that was expected
        }
    }

    private static void readLines(InputStream in, LinkedBlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // tcpdump ended
        }
    }
}

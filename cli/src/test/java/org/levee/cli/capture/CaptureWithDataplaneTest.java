package org.levee.cli.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.capture.CaptureHook;
import org.levee.capture.testing.Tools;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cli.CliRun;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/**
 * The operator's path end to end, every step through the CLI: compile a rule set dropping
 * {@code udp dst port 9}, attach it to a veth in a namespace, {@code levee capture -i IFACE
 * --netns NAME} (Levee's own hook, found from the interface) while real datagrams arrive, detach.
 */
@Tag("kernel")
class CaptureWithDataplaneTest {
    @TempDir
    Path dir;

    @Test
    void capturesThroughTheHookTheDataPlanePinned() throws Exception {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Requirements.command("tshark");
        Requirements.command("ping");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                version: capture-cli-test
                rules:
                  - id: discard
                    filter: udp dst port 9
                    action: drop
                """);
        Path object = dir.resolve("rules.o");
        assertOk(CliRun.of("ruleset", "compile", "-o", object.toString(), rules.toString()));
        try (NetnsLab lab = NetnsLab.create()) {
            String sender = lab.addNamespace("snd");
            String receiver = lab.addNamespace("rcv");
            VethPair veth = lab.addVeth(sender, "192.0.2.1/24", receiver, "192.0.2.2/24");
            String iface = veth.interfaceB();
            assertOk(CliRun.of(
                    "dataplane",
                    "attach",
                    "-i",
                    iface,
                    "--netns",
                    receiver,
                    "--ruleset",
                    object.toString(),
                    "--sample-rate",
                    "0"));
            try {
                assertThat(lab.exec(sender, "ping", "-c", "1", "-W", "2", veth.hostB())
                                .succeeded())
                        .isTrue();
                Path file = dir.resolve("capture.pcapng");
                CompletableFuture<CliRun> capture = CompletableFuture.supplyAsync(() -> CliRun.of(
                        "capture", "-i", iface, "--netns", receiver, "-w", file.toString(), "-c", "6", "-q", "udp"));
                awaitCapture(CaptureHook.defaultPath(iface, receiver));
                Netns.run(sender, () -> {
                    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(veth.hostA(), 0))) {
                        for (int i = 0; i < 6; i++) {
                            byte[] payload = ("datagram " + i).getBytes();
                            socket.send(new DatagramPacket(
                                    payload, payload.length, InetAddress.getByName(veth.hostB()), i % 2 == 0 ? 9 : 10));
                        }
                    }
                });
                assertOk(capture.get(20, TimeUnit.SECONDS));
                List<String[]> rows = Tools.tsharkFields(
                        file, "frame.interface_name", "frame.verdict.ebpf_xdp", "udp.dstport", "udp.payload");
                assertThat(rows).hasSize(6);
                for (int i = 0; i < rows.size(); i++) {
                    boolean dropped = i % 2 == 0;
                    assertThat(rows.get(i))
                            .containsExactly(
                                    dropped ? "XDPdrop" : "XDPpass",
                                    dropped ? "1" : "2",
                                    dropped ? "9" : "10",
                                    HexFormat.of().formatHex(("datagram " + i).getBytes()));
                }
                try (BpfMap hook = BpfMap.openPinned(CaptureHook.defaultPath(iface, receiver))) {
                    for (XdpAction action : XdpAction.values()) {
                        assertThat(hook.lookup(BpfMap.intBytes(action.code())))
                                .as("slot %s", action)
                                .isEmpty();
                    }
                }
            } finally {
                CliRun.of("dataplane", "detach", "-i", iface, "--netns", receiver);
                Files.deleteIfExists(
                        CaptureHook.defaultPath(iface, receiver).getParent().getParent());
            }
        }
    }

    /** Waits until the capture's programs are all in the hook (redirect, the last slot, is filled last). */
    private static void awaitCapture(Path hookPath) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (BpfMap hook = BpfMap.openPinned(hookPath)) {
            while (hook.lookup(BpfMap.intBytes(XdpAction.REDIRECT.code())).isEmpty()) {
                assertThat(System.nanoTime())
                        .as("the capture started within 20 s")
                        .isLessThan(until);
                Thread.sleep(20);
            }
        }
    }

    private static void assertOk(CliRun run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
    }
}

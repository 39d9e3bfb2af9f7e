package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapFiles;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.testing.Requirements;

/**
 * The SYNs this machine's own TCP stack sends: a connect() in one network namespace, captured by
 * tcpdump on the peer in another. The signatures written for this kernel in docs/signatures.md
 * match them, and every single-field variant of those signatures does not.
 */
@Tag("kernel")
class OwnKernelSynTest {
    /** Linux 6.x over IPv4 with default TCP settings and a 1500-byte MTU (docs/signatures.md). */
    static final String LINUX_IPV4 = "4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0";
    /** The same over IPv6: the MSS is 1440, so the window is 45 of them; a flow label is set. */
    static final String LINUX_IPV6 = "6:64:0:*:mss*45,7:mss,sok,ts,nop,ws:flow:0";

    private static final String SUFFIX =
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    private static final String CLIENT = "lvsc" + SUFFIX;
    private static final String SERVER = "lvss" + SUFFIX;
    private static List<byte[]> ipv4Syns;
    private static List<byte[]> ipv6Syns;

    @BeforeAll
    static void captureOwnSyns() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("tcpdump");
        Requirements.command("bash");
        Path pcap = Files.createTempFile("levee-syn", ".pcap");
        try {
            run("ip", "netns", "add", CLIENT);
            run("ip", "netns", "add", SERVER);
            run(
                    "ip",
                    "link",
                    "add",
                    "c" + SUFFIX,
                    "netns",
                    CLIENT,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "s" + SUFFIX,
                    "netns",
                    SERVER);
            // Linux's defaults, whatever the host was tuned to: they decide the window scale.
            run(
                    "ip",
                    "netns",
                    "exec",
                    CLIENT,
                    "sysctl",
                    "-q",
                    "-w",
                    "net.ipv4.tcp_rmem=4096 131072 6291456",
                    "net.ipv4.tcp_ecn=2",
                    "net.ipv4.tcp_timestamps=1",
                    "net.ipv4.tcp_sack=1",
                    "net.ipv4.tcp_window_scaling=1");
            address(CLIENT, "c" + SUFFIX, "192.0.2.1/24", "2001:db8::1/64");
            address(SERVER, "s" + SUFFIX, "192.0.2.2/24", "2001:db8::2/64");
            Process tcpdump = new ProcessBuilder(
                            "ip",
                            "netns",
                            "exec",
                            SERVER,
                            "tcpdump",
                            "-i",
                            "s" + SUFFIX,
                            "-U",
                            "-w",
                            pcap.toString(),
                            "-c",
                            "3",
                            "tcp[tcpflags] & tcp-syn != 0 or (ip6 and ip6[6] == 6 and " + "ip6[53] & 2 != 0)")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                awaitListening(tcpdump);
                connect("192.0.2.2");
                connect("192.0.2.2");
                connect("2001:db8::2");
                assertThat(tcpdump.waitFor(20, TimeUnit.SECONDS))
                        .as("tcpdump saw three SYNs")
                        .isTrue();
            } finally {
                tcpdump.destroy();
                tcpdump.waitFor(5, TimeUnit.SECONDS);
            }
            ipv4Syns = new ArrayList<>();
            ipv6Syns = new ArrayList<>();
            for (PcapRecord record : PcapFiles.read(pcap)) {
                int ethertype = (record.data()[12] & 0xff) << 8 | (record.data()[13] & 0xff);
                (ethertype == 0x86dd ? ipv6Syns : ipv4Syns).add(record.data());
            }
        } finally {
            Files.deleteIfExists(pcap);
            removeNamespaces();
        }
        assertThat(ipv4Syns).hasSize(2);
        assertThat(ipv6Syns).hasSize(1);
    }

    @AfterAll
    static void removeNamespaces() {
        for (String namespace : List.of(CLIENT, SERVER)) {
            if (Files.exists(Path.of("/var/run/netns", namespace))) {
                run("ip", "netns", "del", namespace);
            }
        }
    }

    @Test
    void ipv4SynsMatchTheirSignatureAndNoVariant() {
        // The one ver variant, 6, is refused outright: p0f rejects df and id+ on IPv6.
        assertThatThrownBy(() -> P0fSignature.parse("6:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"))
                .isInstanceOf(SignatureException.class);
        assertThat(Backends.verdicts(P0fFilter.of(LINUX_IPV4, LinkType.EN10MB).program(), ipv6Syns))
                .containsOnly(false);
        assertSignature(
                LINUX_IPV4,
                ipv4Syns,
                List.of(
                        "4:32:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:128:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:4:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:0:1400:mss*44,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:0:*:65535,7:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:0:*:mss*44,10:mss,sok,ts,nop,ws:df,id+:0",
                        "4:64:0:*:mss*44,7:mss,nop,ws,sok,ts:df,id+:0",
                        "4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df:0",
                        "4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+,ecn:0",
                        "4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+,linux:0",
                        "4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:+"));
        // p0f.fp's generic Linux signature covers this kernel too.
        assertSignature("*:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0", ipv4Syns, List.of());
    }

    @Test
    void ipv6SynMatchesItsSignatureAndNoVariant() {
        assertThatThrownBy(() -> P0fSignature.parse("4:64:0:*:mss*45,7:mss,sok,ts,nop,ws:flow:0"))
                .isInstanceOf(SignatureException.class);
        assertThat(Backends.verdicts(P0fFilter.of(LINUX_IPV6, LinkType.EN10MB).program(), ipv4Syns))
                .containsOnly(false);
        assertSignature(
                LINUX_IPV6,
                ipv6Syns,
                List.of(
                        "6:255:0:*:mss*45,7:mss,sok,ts,nop,ws:flow:0",
                        "6:64:0:1460:mss*45,7:mss,sok,ts,nop,ws:flow:0",
                        "6:64:0:*:mss*44,7:mss,sok,ts,nop,ws:flow:0",
                        "6:64:0:*:mss*45,8:mss,sok,ts,nop,ws:flow:0",
                        "6:64:0:*:mss*45,7:mss,sok,ts,ws:flow:0",
                        "6:64:0:*:mss*45,7:mss,sok,ts,nop,ws::0",
                        "6:64:0:*:mss*45,7:mss,sok,ts,nop,ws:flow:+"));
    }

    private static void assertSignature(String signature, List<byte[]> syns, List<String> variants) {
        for (LinkType link : List.of(LinkType.EN10MB)) {
            CbpfProgram program = P0fFilter.of(signature, link).program();
            assertThat(Backends.verdicts(program, syns))
                    .as("%s on %s", signature, hex(syns))
                    .containsOnly(true);
            for (String variant : variants) {
                CbpfProgram other = P0fFilter.of(variant, link).program();
                assertThat(Backends.verdicts(other, syns))
                        .as("%s on %s", variant, hex(syns))
                        .containsOnly(false);
                for (byte[] syn : syns) {
                    assertThat(P0fReference.matches(P0fSignature.parse(variant), P0fReference.read(syn)))
                            .isFalse();
                }
            }
        }
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(HexFormat.of()::formatHex).toList();
    }

    private static void address(String namespace, String device, String ipv4, String ipv6) {
        run("ip", "-n", namespace, "addr", "add", ipv4, "dev", device);
        run("ip", "-n", namespace, "addr", "add", ipv6, "dev", device, "nodad");
        run("ip", "-n", namespace, "link", "set", device, "up");
        run("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    /** A connect() to a closed port: the SYN goes out, the peer answers RST. */
    private static void connect(String address) throws Exception {
        Process bash = new ProcessBuilder(
                        "ip", "netns", "exec", CLIENT, "bash", "-c", "exec 3<>/dev/tcp/" + address + "/9")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitListening(Process tcpdump) throws IOException {
        BufferedReader err =
                new BufferedReader(new InputStreamReader(tcpdump.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = err.readLine()) != null) {
            if (line.contains("listening on")) {
                Thread.ofVirtual().start(() -> err.lines().forEach(ignored -> {}));
                return;
            }
        }
        throw new IllegalStateException("tcpdump ended before listening");
    }

    private static void run(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

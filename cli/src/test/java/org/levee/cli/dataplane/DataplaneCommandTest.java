package org.levee.cli.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.testing.Requirements;

/** attach → status → swap → detach through the command line, on a veth in a namespace. */
@Tag("kernel")
class DataplaneCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void attachStatusSwapDetach() throws Exception {
        Path v1 = compile("v1", "udp and dst port 7000");
        Path v2 = compile("v2", "udp and dst port 7001");
        try (NetnsLab lab = NetnsLab.create()) {
            String tx = lab.addNamespace("tx");
            String rx = lab.addNamespace("rx");
            VethPair veth = lab.addVeth(tx, "192.0.2.1/24", rx, "192.0.2.2/24");
            String iface = veth.interfaceB();
            try {
                CliRun attach = CliRun.of(
                        "dataplane",
                        "attach",
                        "-i",
                        iface,
                        "--netns",
                        rx,
                        "--ruleset",
                        v1.toString(),
                        "--datacenter",
                        "fra",
                        "--sample-rate",
                        "0");
                assertThat(attach.exitCode()).as(attach.err()).isZero();
                assertThat(attach.out())
                        .contains(
                                "attached to interface " + iface + " in network namespace " + rx,
                                "1 of 1 rules enabled");
                assertThat(BpfFs.ROOT.resolve("levee/" + rx + "/" + iface + "/link"))
                        .exists();

                Netns.run(tx, () -> {
                    try (DatagramSocket socket = new DatagramSocket()) {
                        for (int i = 0; i < 7; i++) {
                            socket.send(new DatagramPacket(new byte[10], 10, new InetSocketAddress("192.0.2.2", 7000)));
                        }
                    }
                });
                CliRun status = CliRun.of("dataplane", "status", "-i", iface, "--netns", rx, "--json");
                assertThat(status.exitCode()).as(status.err()).isZero();
                assertThat(status.out())
                        .contains(
                                "\"interface\" : \"" + iface + "\"",
                                "\"datacenter\" : \"fra\"",
                                "\"version\" : \"v1\"",
                                "\"dropped\" : 7",
                                "\"id\" : \"block\"",
                                "\"enabled\" : true",
                                "\"packets\" : 7",
                                "\"bytes\" : " + 7 * (14 + 20 + 8 + 10),
                                "\"samples_lost\" : 0");
                CliRun text = CliRun.of("dataplane", "status", "-i", iface, "--netns", rx);
                assertThat(text.out())
                        .contains("version v1, data center fra, sampling off")
                        .containsPattern("block +enabled +drop +7 packets");

                CliRun clash =
                        CliRun.of("dataplane", "attach", "-i", "nosuch0", "--netns", rx, "--ruleset", v2.toString());
                assertThat(clash.exitCode()).isEqualTo(2);
                assertThat(clash.err()).contains("nosuch0");

                Path garbage = Files.writeString(dir.resolve("garbage.o"), "garbage");
                CliRun badObject =
                        CliRun.of("dataplane", "attach", "-i", iface, "--netns", rx, "--ruleset", garbage.toString());
                assertThat(badObject.exitCode()).isEqualTo(2);
                assertThat(badObject.err()).contains("garbage.o: not a BPF object");
                assertThat(CliRun.of("dataplane", "status", "-i", iface, "--netns", rx, "--json")
                                .out())
                        .as("the running program is untouched")
                        .contains("\"version\" : \"v1\"", "\"packets\" : 7");

                CliRun swap = CliRun.of(
                        "dataplane",
                        "attach",
                        "-i",
                        iface,
                        "--netns",
                        rx,
                        "--ruleset",
                        v2.toString(),
                        "--datacenter",
                        "fra");
                assertThat(swap.exitCode()).as(swap.err()).isZero();
                assertThat(swap.out()).contains("replaced the program on");
                assertThat(CliRun.of("dataplane", "status", "-i", iface, "--netns", rx, "--json")
                                .out())
                        .contains("\"version\" : \"v2\"", "\"packets\" : 7");
            } finally {
                CliRun detach = CliRun.of("dataplane", "detach", "-i", iface, "--netns", rx);
                assertThat(detach.exitCode()).as(detach.err()).isZero();
            }
            assertThat(BpfFs.ROOT.resolve("levee/" + rx)).doesNotExist();
            CliRun again = CliRun.of("dataplane", "status", "-i", iface, "--netns", rx);
            assertThat(again.exitCode()).isEqualTo(2);
            assertThat(again.err()).contains("nothing is attached");
        }
    }

    @Test
    void badInterfaceNamesAndMissingNamespacesAreClearErrors() throws Exception {
        Path v1 = compile("v1", "udp");
        CliRun badName = CliRun.of("dataplane", "attach", "-i", "a/b", "--ruleset", v1.toString());
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("interface name 'a/b' is not valid");
        CliRun noNs =
                CliRun.of("dataplane", "attach", "-i", "eth0", "--netns", "lv-none-x", "--ruleset", v1.toString());
        assertThat(noNs.exitCode()).isEqualTo(2);
        assertThat(noNs.err()).contains("no network namespace 'lv-none-x'");
        CliRun detach = CliRun.of("dataplane", "detach", "-i", "lvnone0");
        assertThat(detach.exitCode()).isEqualTo(2);
        assertThat(detach.err()).contains("nothing is attached");
    }

    /**
     * Under {@code ip netns exec} the process has a private /sys and bpffs: its pins would vanish
     * with it and detach the program, so levee refuses and points to --netns.
     */
    @Test
    void refusesToPinInsideIpNetnsExec() throws Exception {
        Path v1 = compile("v1", "udp");
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair veth = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            var result = lab.exec(
                    b,
                    java.toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "org.levee.cli.Main",
                    "dataplane",
                    "attach",
                    "-i",
                    veth.interfaceB(),
                    "--ruleset",
                    v1.toString());
            assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
            assertThat(result.output()).contains("as under 'ip netns exec " + b + "'", "private to it", "--netns NAME");
            assertThat(BpfFs.ROOT.resolve("levee/" + veth.interfaceB())).doesNotExist();
        }
    }

    /** A one-rule set named {@code block} dropping {@code filter}. */
    private Path compile(String version, String filter) throws Exception {
        Path yaml = Files.writeString(
                dir.resolve(version + ".yaml"),
                "version: " + version + "\nrules:\n  - id: block\n    filter: " + filter + "\n    action: drop\n");
        Path object = dir.resolve(version + ".o");
        CliRun run = CliRun.of("ruleset", "compile", yaml.toString(), "-o", object.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        return object;
    }
}

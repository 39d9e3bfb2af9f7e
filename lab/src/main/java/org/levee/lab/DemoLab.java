package org.levee.lab;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.levee.dataplane.PinLayout;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.netns.Netns;
import org.levee.netns.CommandResult;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;

/**
 * The demo's network: an edge node, legitimate clients and attackers, each in its own network
 * namespace, joined by an upstream router namespace (the "internet"):
 *
 * <pre>
 *   clients 198.51.100.11–14/24 ── .1  upstream  203.0.113.1 ── edge 203.0.113.10/24 (Levee's XDP here)
 *   attackers 192.0.2.2/24 ──────── 192.0.2.1 ┘ (blackhole default route: replies to spoofed sources vanish)
 * </pre>
 *
 * Legitimate traffic is routed by the upstream namespace's kernel both ways. The attackers'
 * frames take a fast path instead: an XDP program on the upstream's attacker-facing veth
 * redirects every IPv4 frame unchanged to the edge-facing veth, so they stay XDP frames all the
 * way (no socket buffers). The generator addresses them to the edge's MAC from the upstream's,
 * as a router would forward them. Measured here, this path carries about 85 % of the rate of a
 * generator wired straight to the edge's veth. Routing them in the upstream's kernel instead
 * (XDP_PASS on the veth that receives them from the generator) delivered under 1 % of them:
 * most never reached IP and nearly all that did failed the IPv4 header checksum. Redirected
 * frames that the edge passes to its stack (no mitigation) arrive intact.
 *
 * <p>A veth receives redirected frames only while it runs an XDP program itself, so floods
 * reach the edge only while Levee's program (or {@link EdgeCounter}) is attached to
 * {@link #edgeInterface()} in native mode; without one, the edge's veth drops them.
 *
 * <p>{@link #close()} deletes every namespace (and so every interface and XDP attachment inside);
 * a JVM shutdown hook does the same on Ctrl-C. Namespace and interface names carry a random
 * suffix, so labs of parallel tests never collide.
 */
public final class DemoLab implements AutoCloseable {
    /** The edge's (victim's) address. */
    public static final String EDGE_ADDRESS = "203.0.113.10";

    public static final String EDGE_GATEWAY = "203.0.113.1";
    public static final String CLIENTS_GATEWAY = "198.51.100.1";
    /** The legitimate clients' addresses, one per client. */
    public static final List<String> CLIENT_ADDRESSES =
            List.of("198.51.100.11", "198.51.100.12", "198.51.100.13", "198.51.100.14");

    public static final String ATTACKERS_ADDRESS = "192.0.2.2";
    public static final String ATTACKERS_GATEWAY = "192.0.2.1";
    /** The edge's IPv6 address (the same service answers on both families) and the lab's IPv6 prefixes (2001:db8::/32). */
    public static final String EDGE_ADDRESS_V6 = "2001:db8:a::10";

    public static final String EDGE_GATEWAY_V6 = "2001:db8:a::1";
    public static final String CLIENTS_GATEWAY_V6 = "2001:db8:c::1";
    public static final List<String> CLIENT_ADDRESSES_V6 = List.of("2001:db8:c::11", "2001:db8:c::12");
    public static final String ATTACKERS_ADDRESS_V6 = "2001:db8:e::2";
    public static final String ATTACKERS_GATEWAY_V6 = "2001:db8:e::1";

    private static final int XDP_PASS = XdpAction.PASS.code();

    private final NetnsLab lab;
    private final List<AutoCloseable> attachments = new ArrayList<>();
    private final Thread shutdownHook;
    private String edge;
    private String clients;
    private String attackers;
    private String upstream;
    private VethPair edgeLink;
    private VethPair clientsLink;
    private VethPair attackersLink;
    private boolean closed;

    private DemoLab(NetnsLab lab) {
        this.lab = lab;
        this.shutdownHook = Thread.ofPlatform().unstarted(this::closeQuietly);
    }

    /** Builds the lab; on failure removes whatever it had made and rethrows. */
    public static DemoLab create() {
        DemoLab demo = new DemoLab(NetnsLab.create());
        Runtime.getRuntime().addShutdownHook(demo.shutdownHook);
        try {
            demo.build();
            return demo;
        } catch (Exception e) {
            try {
                demo.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof RuntimeException r
                    ? r
                    : new IllegalStateException("cannot build the demo lab: " + e.getMessage(), e);
        }
    }

    private void build() throws Exception {
        edge = lab.addNamespace("edge");
        clients = lab.addNamespace("clients");
        attackers = lab.addNamespace("attackers");
        upstream = lab.addNamespace("upstream");
        for (String ns : List.of(edge, clients, attackers, upstream)) {
            // IPv6 addresses usable at once: no duplicate address detection on the lab's links.
            sysctl(ns, "net/ipv6/conf/default/accept_dad", "0");
            sysctl(ns, "net/ipv6/conf/all/accept_dad", "0");
        }
        edgeLink = lab.addVeth(edge, EDGE_ADDRESS + "/24", upstream, EDGE_GATEWAY + "/24");
        // Levee's pins for the edge's namespace (the demo attaches there) go with the lab, also
        // when a JVM killed outright leaves it to the next lab's sweep.
        lab.removeWithLab(new PinLayout(edgeLink.interfaceA(), edge).directory().getParent());
        clientsLink = lab.addVeth(clients, CLIENT_ADDRESSES.getFirst() + "/24", upstream, CLIENTS_GATEWAY + "/24");
        attackersLink = lab.addVeth(attackers, ATTACKERS_ADDRESS + "/24", upstream, ATTACKERS_GATEWAY + "/24");
        for (String extra : CLIENT_ADDRESSES.subList(1, CLIENT_ADDRESSES.size())) {
            ip(clients, "addr", "add", extra + "/24", "dev", clientsLink.interfaceA());
        }
        ip(edge, "addr", "add", EDGE_ADDRESS_V6 + "/64", "dev", edgeLink.interfaceA(), "nodad");
        ip(upstream, "addr", "add", EDGE_GATEWAY_V6 + "/64", "dev", edgeLink.interfaceB(), "nodad");
        for (String address : CLIENT_ADDRESSES_V6) {
            ip(clients, "addr", "add", address + "/64", "dev", clientsLink.interfaceA(), "nodad");
        }
        ip(upstream, "addr", "add", CLIENTS_GATEWAY_V6 + "/64", "dev", clientsLink.interfaceB(), "nodad");
        ip(attackers, "addr", "add", ATTACKERS_ADDRESS_V6 + "/64", "dev", attackersLink.interfaceA(), "nodad");
        ip(upstream, "addr", "add", ATTACKERS_GATEWAY_V6 + "/64", "dev", attackersLink.interfaceB(), "nodad");
        ip(edge, "-6", "route", "add", "default", "via", EDGE_GATEWAY_V6);
        ip(clients, "-6", "route", "add", "default", "via", CLIENTS_GATEWAY_V6);
        ip(attackers, "-6", "route", "add", "default", "via", ATTACKERS_GATEWAY_V6);
        ip(upstream, "-6", "route", "add", "blackhole", "default");
        sysctl(upstream, "net/ipv6/conf/all/forwarding", "1");
        ip(edge, "route", "add", "default", "via", EDGE_GATEWAY);
        ip(clients, "route", "add", "default", "via", CLIENTS_GATEWAY);
        ip(attackers, "route", "add", "default", "via", ATTACKERS_GATEWAY);
        ip(upstream, "route", "add", "blackhole", "default");
        sysctl(upstream, "net/ipv4/ip_forward", "1");
        // Spoofed sources must reach the edge's stack whatever the host's defaults: no reverse-path
        // filtering there. The interface took "default" when it was made, and the stricter of
        // "all" and the interface's own applies, so all three are set.
        for (String conf : List.of("all", "default", edgeLink.interfaceA())) {
            sysctl(edge, "net/ipv4/conf/" + conf + "/rp_filter", "0");
        }
        attachFastPath();
    }

    /** The attackers' fast path; it also lets live frames in: a veth receives XDP frames only while running XDP. */
    private void attachFastPath() throws Exception {
        int edgeFacing = Netns.run(upstream, () -> NetworkInterfaces.index(edgeLink.interfaceB()));
        Program program = Program.load(ProgramSpec.xdp("lab_upstream", redirectIp(edgeFacing)));
        attachments.add(program);
        attachments.add(Netns.run(upstream, () -> XdpLink.attach(program, attackersLink.interfaceB(), XdpMode.NATIVE)));
    }

    /**
     * XDP: IPv4 frames and IPv6 TCP/UDP frames are redirected to {@code ifindex} unchanged;
     * everything else (ARP, neighbour discovery) goes to the stack.
     */
    public static byte[] redirectIp(int ifindex) {
        return new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R0, XDP_PASS), mov64(R4, R2), add64(R4, 54))
                .jgtReg(R4, R3, "short")
                .emit(ldxH(R5, R2, 12))
                .jeqImm(R5, 0x0008, "redirect") // EtherType 0x0800 read little-endian
                .jneImm(R5, 0xdd86, "out") // 0x86dd
                .emit(ldxB(R5, R2, 20)) // IPv6 next header
                .jeqImm(R5, 6, "redirect")
                .jneImm(R5, 17, "out")
                .label("redirect")
                .emit(mov64(R1, ifindex), mov64(R2, 0), call(Helper.REDIRECT), exit())
                .label("short") // shorter than an IPv6 header: IPv4 ones still go
                .emit(mov64(R4, R2), add64(R4, 14))
                .jgtReg(R4, R3, "out")
                .emit(ldxH(R5, R2, 12))
                .jeqImm(R5, 0x0008, "redirect")
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** XDP: IPv4 frames are redirected to {@code ifindex} unchanged; everything else (ARP) goes to the stack. */
    public static byte[] redirectIpv4(int ifindex) {
        return new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R0, XDP_PASS), mov64(R4, R2), add64(R4, 14))
                .jgtReg(R4, R3, "out")
                .emit(ldxH(R5, R2, 12))
                .jneImm(R5, 0x0008, "out") // EtherType 0x0800 read little-endian
                .emit(mov64(R1, ifindex), mov64(R2, 0), call(Helper.REDIRECT))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** The lab's random id, part of every namespace and interface name. */
    public String id() {
        return lab.id();
    }

    /** Namespace of the edge node, where Levee attaches. */
    public String edgeNamespace() {
        return edge;
    }

    /** The edge's interface (in {@link #edgeNamespace()}): Levee attaches its XDP program here, native mode. */
    public String edgeInterface() {
        return edgeLink.interfaceA();
    }

    public Inet4Address edgeAddress() {
        return ipv4(EDGE_ADDRESS);
    }

    public String clientsNamespace() {
        return clients;
    }

    public List<Inet4Address> clientAddresses() {
        return CLIENT_ADDRESSES.stream().map(DemoLab::ipv4).toList();
    }

    public java.net.Inet6Address edgeAddress6() {
        return ipv6(EDGE_ADDRESS_V6);
    }

    /** The legitimate IPv6 clients' addresses, beside the IPv4 ones in the same namespace. */
    public List<java.net.Inet6Address> clientAddresses6() {
        return CLIENT_ADDRESSES_V6.stream().map(DemoLab::ipv6).toList();
    }

    public String attackersNamespace() {
        return attackers;
    }

    /** The attackers' interface, where the flood generator transmits. */
    public String attackersInterface() {
        return attackersLink.interfaceA();
    }

    public String upstreamNamespace() {
        return upstream;
    }

    /** The /24 subnets of the lab itself (clients, edge): spoofed sources avoid them. */
    public List<Subnet24> labSubnets() {
        return List.of(Subnet24.parse("198.51.100.0/24"), Subnet24.parse("203.0.113.0/24"));
    }

    /**
     * Where floods go: from the attackers' interface to the edge, addressed from the upstream's
     * edge-facing MAC to the edge's MAC, as if the upstream router had forwarded them.
     */
    public FloodPath floodPath() throws Exception {
        return new FloodPath(
                attackers,
                attackersLink.interfaceA(),
                mac(upstream, edgeLink.interfaceB()),
                mac(edge, edgeLink.interfaceA()),
                edgeAddress(),
                labSubnets(),
                edgeAddress6());
    }

    /** Runs a command in one of the lab's namespaces ({@code ip netns exec}); does not throw on failure. */
    public CommandResult exec(String namespace, String... command) {
        return lab.exec(namespace, command);
    }

    /** Removes the lab: XDP programs, then every namespace with its interfaces. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (int i = attachments.size() - 1; i >= 0; i--) {
                try {
                    attachments.get(i).close();
                } catch (Exception ignored) {
                    // deleting the namespaces below removes the attachment anyway
                }
            }
            lab.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // we are the hook, or the JVM is exiting: nothing to unregister
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("levee lab " + lab.id() + ": cleanup failed: " + e.getMessage());
        }
    }

    private void ip(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        CommandResult r = lab.exec(namespace, command.toArray(String[]::new));
        if (!r.succeeded()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' in " + namespace + " exited with "
                    + r.exitCode() + ": " + r.output().strip());
        }
    }

    /** Writes a sysctl of {@code namespace}: /proc/sys/net belongs to the namespace of the writing thread. */
    private static void sysctl(String namespace, String key, String value) throws Exception {
        Netns.run(namespace, () -> {
            Files.writeString(Path.of("/proc/sys", key), value);
        });
    }

    private static MacAddress mac(String namespace, String device) throws Exception {
        return Netns.run(namespace, () -> {
            NetworkInterface nic = NetworkInterface.getByName(device);
            if (nic == null) {
                throw new IllegalStateException("no interface '" + device + "' in namespace " + namespace);
            }
            return MacAddress.of(nic.getHardwareAddress());
        });
    }

    private static java.net.Inet6Address ipv6(String text) {
        try {
            return (java.net.Inet6Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address", e);
        }
    }

    private static Inet4Address ipv4(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address", e);
        }
    }

    /**
     * Starts {@code command} inside {@code namespace} (one of this lab's), its output appended to
     * {@code log}; stopped when the lab closes (see {@link NetnsLab#spawn}).
     */
    public org.levee.netns.LabProcess spawn(String name, String namespace, java.nio.file.Path log, List<String> command)
            throws java.io.IOException {
        return lab.spawn(name, namespace, log, command);
    }

    /** Removes {@code bpffsPath} (pins of an agent the lab runs) with the lab, also after a crash. */
    public void removeWithLab(java.nio.file.Path bpffsPath) {
        lab.removeWithLab(bpffsPath);
    }

    @Override
    public String toString() {
        return "DemoLab[" + lab.id() + "]";
    }
}

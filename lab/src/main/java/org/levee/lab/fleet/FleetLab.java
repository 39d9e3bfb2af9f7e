package org.levee.lab.fleet;

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
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.FloodPath;
import org.levee.lab.MacAddress;
import org.levee.lab.Subnet24;
import org.levee.netns.CommandResult;
import org.levee.netns.LabProcess;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;

/**
 * The fleet's network: data centers, each with its own upstream router, legitimate clients,
 * attackers and one or more edges, every edge serving the same anycast address; and a management
 * network joining every edge to the control plane (etcd members and controllers).
 *
 * <pre>
 *   per data center i (ams, fra, sin, …):
 *     clients 198.51.100.(64i+11…)/26 ──┐                     ┌── edge i.1  198.18.(16i+2).2, anycast 203.0.113.10
 *                                       ├── router i ──────────┤   (ECMP for clients, XDP source hash for floods)
 *     attackers 192.0.2.(64i+2)/26 ─────┘                     └── edge i.2  198.18.(16i+4).2, anycast 203.0.113.10
 *   management: a bridge in namespace "mgmt", 198.18.200.1/24; etcd members and controllers
 *   listen on 198.18.200.2… there; every edge has 198.18.200.(10+n)/24 on a veth to the bridge.
 * </pre>
 *
 * Legitimate traffic is routed by each router's kernel, spread over the data center's edges by
 * an equal-cost multipath route to the anycast address. Floods take a fast path as in
 * {@link org.levee.lab.DemoLab}: an XDP program on the router's attacker-facing veth picks an edge
 * by a hash of the source address, rewrites the Ethernet addresses for it and redirects the frame,
 * so it reaches the edge as a raw XDP frame. A data center's attackers flood only its own edges:
 * a flood spread over every data center is one generator per data center, as anycast would
 * spread a real one.
 *
 * <p>Processes (etcd, controllers, edges) are started with {@link #spawn} and stopped on
 * {@link #close()}, before the namespaces go; a JVM killed outright leaves them to the next
 * lab's sweep.
 */
public final class FleetLab implements AutoCloseable {
    public static final String ANYCAST = "203.0.113.10";
    public static final String MANAGEMENT_GATEWAY = "198.18.200.1";
    private static final int XDP_PASS = XdpAction.PASS.code();

    /**
     * One data center's shape: its name and how many edges it has.
     */
    public record Site(String datacenter, int edges) {
        public Site {
            if (!datacenter.matches("[a-z][a-z0-9]{0,5}")) {
                throw new IllegalArgumentException(
                        "data center name '" + datacenter + "' must be 1–6 characters of [a-z0-9], a letter first");
            }
            if (edges < 1 || edges > 4) {
                throw new IllegalArgumentException("data center " + datacenter + ": 1 to 4 edges, not " + edges);
            }
        }
    }

    /**
     * One edge of the fleet.
     *
     * @param node its node name ({@code <dc>-<k>})
     * @param namespace its network namespace (the "machine")
     * @param iface the interface toward its router, where Levee attaches
     * @param address its own address on that link
     * @param managementInterface its interface on the management network
     * @param managementAddress its address there (its sFlow agent address)
     */
    public record Edge(
            String datacenter,
            String node,
            String namespace,
            String iface,
            String address,
            String managementInterface,
            String managementAddress) {}

    /** One data center of the lab. */
    public record Datacenter(
            String name,
            int index,
            String router,
            String clients,
            String attackers,
            List<Edge> edges,
            List<Inet4Address> clientAddresses,
            FloodPath floodPath) {}

    private final NetnsLab lab;
    private final List<AutoCloseable> attachments = new ArrayList<>();
    private final List<Datacenter> datacenters = new ArrayList<>();
    private final Thread shutdownHook;
    private String management;
    private int managementHosts;
    private boolean closed;

    private FleetLab(NetnsLab lab) {
        this.lab = lab;
        this.shutdownHook = Thread.ofPlatform().unstarted(this::closeQuietly);
    }

    /** Builds the lab for {@code sites}; on failure removes whatever it had made and rethrows. */
    public static FleetLab create(List<Site> sites) throws Exception {
        if (sites.isEmpty() || sites.size() > 4) {
            throw new IllegalArgumentException("a fleet lab has 1 to 4 data centers, not " + sites.size());
        }
        FleetLab fleet = new FleetLab(NetnsLab.create());
        Runtime.getRuntime().addShutdownHook(fleet.shutdownHook);
        try {
            fleet.build(sites);
            return fleet;
        } catch (Exception e) {
            try {
                fleet.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void build(List<Site> sites) throws Exception {
        management = lab.addNamespace("mgmt");
        ip(management, "link", "add", "br0", "type", "bridge");
        ip(management, "addr", "add", MANAGEMENT_GATEWAY + "/24", "dev", "br0");
        ip(management, "link", "set", "br0", "up");
        int node = 0;
        for (int i = 0; i < sites.size(); i++) {
            Site site = sites.get(i);
            String dc = site.datacenter();
            String router = lab.addNamespace("r" + dc);
            String clients = lab.addNamespace("c" + dc);
            String attackers = lab.addNamespace("a" + dc);
            int clientsBase = 64 * i;
            VethPair clientsLink = lab.addVeth(
                    clients,
                    "198.51.100." + (clientsBase + 11) + "/26",
                    router,
                    "198.51.100." + (clientsBase + 1) + "/26");
            List<Inet4Address> clientAddresses = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                String address = "198.51.100." + (clientsBase + 11 + c);
                if (c > 0) {
                    ip(clients, "addr", "add", address + "/26", "dev", clientsLink.interfaceA());
                }
                clientAddresses.add(ipv4(address));
            }
            ip(clients, "route", "add", "default", "via", "198.51.100." + (clientsBase + 1));
            VethPair attackersLink = lab.addVeth(
                    attackers, "192.0.2." + (clientsBase + 2) + "/26", router, "192.0.2." + (clientsBase + 1) + "/26");
            ip(attackers, "route", "add", "default", "via", "192.0.2." + (clientsBase + 1));
            sysctl(router, "net/ipv4/ip_forward", "1");
            sysctl(router, "net/ipv4/fib_multipath_hash_policy", "1"); // spread clients by ports as well
            ip(router, "route", "add", "blackhole", "default"); // replies to spoofed sources vanish
            List<Edge> edges = new ArrayList<>();
            List<String> nexthops = new ArrayList<>();
            List<int[]> targets = new ArrayList<>();
            List<byte[][]> macs = new ArrayList<>();
            for (int k = 1; k <= site.edges(); k++) {
                String edgeNs = lab.addNamespace("e" + dc + k);
                String subnet = "198.18." + linkSubnet(i, k) + ".";
                VethPair link = lab.addVeth(edgeNs, subnet + "2/24", router, subnet + "1/24");
                ip(edgeNs, "addr", "add", ANYCAST + "/32", "dev", link.interfaceA());
                // The edge's Levee pins its program under the host's bpffs (it runs in the edge's network
                // namespace only): they go with the lab, also after a crash.
                lab.removeWithLab(Path.of("/sys/fs/bpf/levee", link.interfaceA()));
                ip(edgeNs, "route", "add", "default", "via", subnet + "1");
                for (String conf : List.of("all", "default", link.interfaceA())) {
                    sysctl(edgeNs, "net/ipv4/conf/" + conf + "/rp_filter", "0");
                }
                String mgmtAddress = "198.18.200." + (10 + node);
                VethPair mgmtLink =
                        lab.addVeth(edgeNs, mgmtAddress + "/24", management, "198.18.201." + (10 + node) + "/32");
                ip(management, "addr", "flush", "dev", mgmtLink.interfaceB());
                ip(management, "link", "set", "dev", mgmtLink.interfaceB(), "master", "br0");
                node++;
                nexthops.add(subnet + "2");
                edges.add(new Edge(
                        dc, dc + "-" + k, edgeNs, link.interfaceA(), subnet + "2", mgmtLink.interfaceA(), mgmtAddress));
                int routerSide = Netns.run(router, () -> NetworkInterfaces.index(link.interfaceB()));
                targets.add(new int[] {routerSide});
                macs.add(new byte[][] {
                    mac(edgeNs, link.interfaceA()).bytes(),
                    mac(router, link.interfaceB()).bytes()
                });
            }
            List<String> route = new ArrayList<>(List.of("route", "add", ANYCAST + "/32"));
            if (nexthops.size() == 1) {
                route.addAll(List.of("via", nexthops.getFirst()));
            } else {
                for (String hop : nexthops) {
                    route.addAll(List.of("nexthop", "via", hop));
                }
            }
            ip(router, route.toArray(String[]::new));
            Program spread = Program.load(ProgramSpec.xdp("lab_spread", spreadToEdges(targets, macs)));
            attachments.add(spread);
            attachments.add(
                    Netns.run(router, () -> XdpLink.attach(spread, attackersLink.interfaceB(), XdpMode.NATIVE)));
            // The generator's Ethernet addresses are rewritten by the router's program; any will do.
            FloodPath flood = new FloodPath(
                    attackers,
                    attackersLink.interfaceA(),
                    mac(attackers, attackersLink.interfaceA()),
                    mac(router, attackersLink.interfaceB()),
                    ipv4(ANYCAST),
                    spared(sites));
            datacenters.add(new Datacenter(
                    dc, i, router, clients, attackers, List.copyOf(edges), List.copyOf(clientAddresses), flood));
        }
    }

    /**
     * The third byte of the /24 between data center {@code i}'s router and its edge {@code k}:
     * even, so that no two of the lab's /24s are neighbours (a spoofed source drawn in a spared
     * /24 moves to its neighbour, which must not be spared too; see {@code RandomSource}).
     */
    private static int linkSubnet(int i, int k) {
        return 16 * i + 2 * k;
    }

    /** Subnets spoofed sources must avoid: every address of the lab. */
    private static List<Subnet24> spared(List<Site> sites) {
        List<Subnet24> spared = new ArrayList<>(List.of(
                Subnet24.parse("198.51.100.0/24"),
                Subnet24.parse("203.0.113.0/24"),
                Subnet24.parse("192.0.2.0/24"),
                Subnet24.parse("198.18.200.0/24")));
        for (int i = 0; i < sites.size(); i++) {
            for (int k = 1; k <= sites.get(i).edges(); k++) {
                spared.add(Subnet24.parse("198.18." + linkSubnet(i, k) + ".0/24"));
            }
        }
        return spared;
    }

    /**
     * XDP for a router's attacker-facing veth: an IPv4 frame goes to edge {@code hash(source) mod
     * n}, its Ethernet addresses rewritten (destination: the edge's, source: the router's port
     * toward it) and redirected there; anything else (ARP) goes to the router's stack.
     */
    static byte[] spreadToEdges(List<int[]> ifindexes, List<byte[][]> macs) {
        Assembler a = new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R0, XDP_PASS), mov64(R4, R2), add64(R4, 34))
                .jgtReg(R4, R3, "out")
                .emit(ldxH(R5, R2, 12))
                .jneImm(R5, 0x0008, "out") // EtherType 0x0800 read little-endian
                .emit(
                        ldxW(R5, R2, 26),
                        mov64(R4, R5),
                        rsh64(R4, 16),
                        xor64(R5, R4),
                        and64(R5, 0xffff),
                        mod64(R5, ifindexes.size()));
        for (int t = 0; t < ifindexes.size(); t++) {
            a.jneImm(R5, t, "not" + t);
            byte[] destination = macs.get(t)[0];
            byte[] source = macs.get(t)[1];
            for (int b = 0; b < 6; b++) {
                a.emit(stB(R2, b, destination[b]), stB(R2, 6 + b, source[b]));
            }
            a.emit(mov64(R1, ifindexes.get(t)[0]), mov64(R2, 0), call(Helper.REDIRECT), exit())
                    .label("not" + t);
        }
        return a.label("out").emit(exit()).assemble().encode();
    }

    private static org.levee.ebpf.asm.Instruction stB(org.levee.ebpf.asm.Register base, int offset, byte value) {
        return st(org.levee.ebpf.asm.Size.B, base, offset, value & 0xff);
    }

    public String id() {
        return lab.id();
    }

    public List<Datacenter> datacenters() {
        return List.copyOf(datacenters);
    }

    public Datacenter datacenter(String name) {
        return datacenters.stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("no data center '" + name + "' in fleet lab " + lab.id()));
    }

    /** Every edge, data center by data center. */
    public List<Edge> edges() {
        return datacenters.stream().flatMap(d -> d.edges().stream()).toList();
    }

    /** The management network's namespace, where etcd members and controllers run. */
    public String managementNamespace() {
        return management;
    }

    /** A new address on the management bridge for a service (an etcd member, a controller): 198.18.200.2, .3, … */
    public String addManagementAddress() {
        String address = "198.18.200." + (2 + managementHosts++);
        if (managementHosts > 8) {
            throw new IllegalStateException("the management network has room for 8 services");
        }
        ip(management, "addr", "add", address + "/24", "dev", "br0");
        return address;
    }

    /** Starts a process in {@code namespace}; stopped when the lab closes. */
    public LabProcess spawn(String name, String namespace, Path log, List<String> command) throws java.io.IOException {
        return lab.spawn(name, namespace, log, command);
    }

    /**
     * Cuts {@code edge} off from the control plane's TCP port {@code port} (etcd) or heals it:
     * an nftables rule in the edge's namespace drops its packets both ways, so connections hang
     * as in a partition rather than being refused.
     */
    public void partition(Edge edge, int port, boolean cut) {
        if (cut) {
            String rules = "table inet levee_partition {\n  chain out { type filter hook output priority 0; tcp dport "
                    + port + " drop; }\n  chain in { type filter hook input priority 0; tcp sport " + port
                    + " drop; }\n}\n";
            CommandResult r = lab.exec(edge.namespace(), "sh", "-c", "printf '%s' '" + rules + "' | nft -f -");
            if (!r.succeeded()) {
                throw new IllegalStateException("cannot cut " + edge.node() + " from port " + port + ": "
                        + r.output().strip());
            }
        } else {
            lab.exec(edge.namespace(), "nft", "delete", "table", "inet", "levee_partition");
        }
    }

    /** Runs a command in one of the lab's namespaces ({@code ip netns exec}); does not throw on failure. */
    public CommandResult exec(String namespace, String... command) {
        return lab.exec(namespace, command);
    }

    /** Removes the lab: processes, XDP programs, then every namespace with its interfaces. */
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
                    // deleting the namespaces removes the attachment anyway
                }
            }
            lab.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // we are the hook, or the JVM is exiting
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("levee fleet lab " + lab.id() + ": cleanup failed: " + e.getMessage());
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

    private static void sysctl(String namespace, String key, String value) throws Exception {
        Netns.run(namespace, () -> {
            Files.writeString(Path.of("/proc/sys", key), value);
        });
    }

    private static MacAddress mac(String namespace, String device) throws Exception {
        return Netns.run(
                namespace,
                () -> MacAddress.of(NetworkInterface.getByName(device).getHardwareAddress()));
    }

    private static Inet4Address ipv4(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address", e);
        }
    }

    @Override
    public String toString() {
        return "FleetLab[" + lab.id() + ", "
                + datacenters.stream().map(Datacenter::name).toList() + "]";
    }
}

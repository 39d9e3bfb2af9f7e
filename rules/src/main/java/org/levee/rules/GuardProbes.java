package org.levee.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * The packets the {@link RuleGuard} runs a rule's filter on to tell whether it matches traffic to
 * a protected endpoint: what a client opening a connection to the endpoint sends — a TCP SYN
 * with the options Linux puts in one, and an ACK of the established connection with
 * timestamps (a UDP datagram for UDP endpoints) — from {@value #SOURCES_PER_VERSION} sources
 * in unrelated networks, from three source ports across the ephemeral range, arriving with
 * three TTLs (hop limits) that packets from Linux, Windows and network gear arrive with.
 * Untagged Ethernet, as a NIC without VLANs hands them to XDP.
 */
final class GuardProbes {
    private GuardProbes() {}

    static final int SOURCES_PER_VERSION = 8;

    /**
     * Addresses in eight unrelated /8s (IPv4) and /16s (IPv6): a rule that matches probes from
     * two of them is not about whom a packet comes from. They are only bytes in a buffer; no
     * probe is ever sent.
     */
    private static final List<IpAddress> SOURCES_V4 = List.of(
                    "23.11.2.3",
                    "45.67.89.10",
                    "81.2.69.142",
                    "100.64.10.20",
                    "151.101.1.69",
                    "172.16.5.4",
                    "192.168.1.10",
                    "10.11.12.13")
            .stream()
            .map(IpAddress::parse)
            .toList();

    private static final List<IpAddress> SOURCES_V6 = List.of(
                    "2a00:1450:4001::10",
                    "2600:1f18:aaa::5",
                    "2001:470:1:2::2",
                    "2c0f:f248::1",
                    "2400:cb00:2048::3",
                    "2a01:4f8:1:2::7",
                    "fd12:3456:789a::1",
                    "2001:db8:ff::20")
            .stream()
            .map(IpAddress::parse)
            .toList();
    private static final int[] SOURCE_PORTS = {1025, 40_000, 60_999};
    private static final int[] ARRIVAL_TTLS = {57, 116, 243};
    /** Where a wildcard endpoint is probed when neither the rule nor its filter names an address. */
    private static final IpAddress ANY_V4 = IpAddress.parse("203.0.113.10");

    private static final IpAddress ANY_V6 = IpAddress.parse("2001:db8::10");
    /** At most this many destinations are probed per endpoint and IP version. */
    private static final int MAX_DESTINATIONS = 32;

    /** What a probe is, for the refusal message: {@code TCP SYN 23.11.2.3:40000 → 192.0.2.1:22, TTL 57}. */
    record Probe(byte[] frame, IpAddress source, String description) {}

    /**
     * The probes for {@code endpoint}: for each IP version it listens on, to each destination
     * address {@link #destinations} finds for it.
     */
    static List<Probe> probes(ProtectedEndpoint endpoint, List<IpAddress> destinations) {
        List<Probe> probes = new ArrayList<>();
        for (IpAddress destination : destinations) {
            List<IpAddress> sources = destination.version() == 4 ? SOURCES_V4 : SOURCES_V6;
            for (IpAddress source : sources) {
                for (int sourcePort : SOURCE_PORTS) {
                    for (int ttl : ARRIVAL_TTLS) {
                        if (endpoint.transport() == ProtectedEndpoint.Transport.TCP) {
                            probes.add(probe(source, sourcePort, destination, endpoint.port(), ttl, Kind.SYN));
                            probes.add(probe(source, sourcePort, destination, endpoint.port(), ttl, Kind.ACK));
                        } else {
                            probes.add(probe(source, sourcePort, destination, endpoint.port(), ttl, Kind.UDP));
                        }
                    }
                }
            }
        }
        return probes;
    }

    /**
     * The addresses of {@code endpoint} to probe: its own address when it is a host; otherwise
     * one address of its network (203.0.113.10 and 2001:db8::10 for any address) and every
     * address in it that the rule names — its destinations, the destinations it targets, and
     * the IPv4 and IPv6 addresses its filters compare packets' address fields with (libpcap's
     * {@code dst host}/{@code dst net} become such comparisons), so that a filter limited to one
     * host is probed at that host.
     */
    static List<IpAddress> destinations(ProtectedEndpoint endpoint, RuleFilter filter, List<Prefix> targets) {
        Set<IpAddress> out = new LinkedHashSet<>();
        if (endpoint.address().isPresent() && endpoint.address().get().isHost()) {
            return List.of(endpoint.address().get().network());
        }
        for (int version : new int[] {4, 6}) {
            if (!endpoint.covers(version)) {
                continue;
            }
            IpAddress representative = endpoint.address().map(p -> oneIn(p)).orElse(version == 4 ? ANY_V4 : ANY_V6);
            Set<IpAddress> named = new LinkedHashSet<>();
            named.add(representative);
            for (Prefix p : filter.rule().destinations()) {
                named.add(p.network());
            }
            for (Prefix p : targets) {
                named.add(p.network());
            }
            named.addAll(comparedAddresses(filter.match()));
            filter.destination().ifPresent(d -> named.addAll(comparedAddresses(d)));
            int taken = 0;
            for (IpAddress a : named) {
                if (a.version() == version
                        && endpoint.address().map(p -> p.contains(a)).orElse(true)
                        && taken < MAX_DESTINATIONS) {
                    out.add(a);
                    taken++;
                }
            }
        }
        return List.copyOf(out);
    }

    /** An address in {@code prefix}: its network address with the last bit set, unless it is a host. */
    private static IpAddress oneIn(Prefix prefix) {
        IpAddress n = prefix.network();
        return prefix.isHost() ? n : new IpAddress(n.version(), n.high(), n.low() | 1);
    }

    // Offsets of address words in Ethernet frames untagged, with one and with two VLAN tags.
    private static final Set<Integer> V4_ADDRESS_WORDS = Set.of(26, 30, 34, 38);
    private static final int[] V6_DESTINATION_BASES = {38, 42, 46};

    /**
     * Addresses {@code program} compares address fields with: a constant of {@code jeq}, {@code
     * jgt} or {@code jge} after a word load from where IPv4 addresses are (masked or not), and
     * IPv6 addresses put together from constants compared with the four words of the IPv6
     * destination.
     */
    static List<IpAddress> comparedAddresses(CbpfProgram program) {
        Set<IpAddress> out = new LinkedHashSet<>();
        java.util.Map<Integer, List<Integer>> wordConstants = new java.util.TreeMap<>();
        int loaded = -1;
        for (CbpfInstruction i : program.instructions()) {
            int cls = i.code() & 0x07;
            if (cls == CbpfInstruction.LD
                    && (i.code() & 0xe0) == CbpfInstruction.ABS
                    && (i.code() & 0x18) == CbpfInstruction.W) {
                loaded = i.k();
            } else if (cls == CbpfInstruction.LD || cls == CbpfInstruction.MISC) {
                loaded = -1; // A holds something else now (ALU operations keep it: masks of dst net)
            } else if (cls == CbpfInstruction.JMP && (i.code() & 0x08) == CbpfInstruction.K && loaded >= 0) {
                int op = i.code() & 0xf0;
                if (op == CbpfInstruction.JEQ || op == CbpfInstruction.JGT || op == CbpfInstruction.JGE) {
                    if (V4_ADDRESS_WORDS.contains(loaded)) {
                        out.add(IpAddress.ipv4(i.k()));
                        if (op == CbpfInstruction.JGT) {
                            out.add(IpAddress.ipv4(i.k() + 1));
                        }
                    }
                    wordConstants
                            .computeIfAbsent(loaded, k -> new ArrayList<>())
                            .add(i.k());
                }
            }
        }
        for (int base : V6_DESTINATION_BASES) {
            int most = 0;
            for (int w = 0; w < 4; w++) {
                most = Math.max(
                        most,
                        wordConstants.getOrDefault(base + 4 * w, List.of()).size());
            }
            for (int n = 0; n < most && n < MAX_DESTINATIONS; n++) {
                long[] words = new long[4];
                boolean any = false;
                for (int w = 0; w < 4; w++) {
                    List<Integer> values = wordConstants.getOrDefault(base + 4 * w, List.of());
                    if (!values.isEmpty()) {
                        words[w] = values.get(Math.min(n, values.size() - 1)) & 0xffffffffL;
                        any = true;
                    }
                }
                if (any) {
                    out.add(IpAddress.ipv6((words[0] << 32) | words[1], (words[2] << 32) | words[3]));
                }
            }
        }
        return List.copyOf(out);
    }

    private enum Kind {
        SYN,
        ACK,
        UDP
    }

    private static Probe probe(IpAddress source, int sourcePort, IpAddress destination, int port, int ttl, Kind kind) {
        byte[] transport = switch (kind) {
            case SYN ->
                tcp(
                        sourcePort,
                        port,
                        0x02,
                        destination.version() == 4 ? 64_240 : 64_800,
                        synOptions(destination.version()));
            case ACK -> tcp(sourcePort, port, 0x10, 502, ackOptions());
            case UDP -> udp(sourcePort, port);
        };
        int protocol = kind == Kind.UDP
                ? ProtectedEndpoint.Transport.UDP.protocolNumber()
                : ProtectedEndpoint.Transport.TCP.protocolNumber();
        byte[] ip = destination.version() == 4
                ? ipv4(source, destination, protocol, ttl, transport.length)
                : ipv6(source, destination, protocol, ttl, transport.length);
        byte[] frame = new byte[14 + ip.length + transport.length];
        frame[0] = 0x02;
        frame[5] = 0x01; // locally administered MACs
        frame[6] = 0x02;
        frame[11] = 0x02;
        int type = destination.version() == 4 ? 0x0800 : 0x86dd;
        frame[12] = (byte) (type >>> 8);
        frame[13] = (byte) type;
        System.arraycopy(ip, 0, frame, 14, ip.length);
        System.arraycopy(transport, 0, frame, 14 + ip.length, transport.length);
        String where = destination.version() == 4
                ? source + ":" + sourcePort + " → " + destination + ":" + port
                : "[" + source + "]:" + sourcePort + " → [" + destination + "]:" + port;
        String what = switch (kind) {
            case SYN -> "TCP SYN";
            case ACK -> "TCP ACK";
            case UDP -> "UDP";
        };
        return new Probe(
                frame, source, what + " " + where + (destination.version() == 4 ? ", TTL " : ", hop limit ") + ttl);
    }

    private static byte[] synOptions(int version) {
        int mss = version == 4 ? 1460 : 1440;
        // MSS, SACK permitted, timestamps, NOP, window scale 7: Linux's SYN.
        return new byte[] {
            2, 4, (byte) (mss >>> 8), (byte) mss, 4, 2, 8, 10, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 1, 3, 3, 7
        };
    }

    private static byte[] ackOptions() {
        return new byte[] {1, 1, 8, 10, 0x12, 0x34, 0x56, (byte) 0x90, 0x0a, 0x0b, 0x0c, 0x0d};
    }

    private static byte[] tcp(int sourcePort, int port, int flags, int window, byte[] options) {
        byte[] t = new byte[20 + options.length];
        put16(t, 0, sourcePort);
        put16(t, 2, port);
        put32(t, 4, 0x1a2b3c4d);
        put32(t, 8, flags == 0x02 ? 0 : 0x5e6f7081);
        t[12] = (byte) ((t.length / 4) << 4);
        t[13] = (byte) flags;
        put16(t, 14, window);
        System.arraycopy(options, 0, t, 20, options.length);
        return t;
    }

    private static byte[] udp(int sourcePort, int port) {
        byte[] u = new byte[8 + 32];
        put16(u, 0, sourcePort);
        put16(u, 2, port);
        put16(u, 4, u.length);
        for (int i = 8; i < u.length; i++) {
            u[i] = (byte) ('a' + i % 26);
        }
        return u;
    }

    private static byte[] ipv4(IpAddress source, IpAddress destination, int protocol, int ttl, int payload) {
        byte[] h = new byte[20];
        h[0] = 0x45;
        put16(h, 2, 20 + payload);
        put16(h, 4, 0x4d2e);
        put16(h, 6, 0x4000); // don't fragment
        h[8] = (byte) ttl;
        h[9] = (byte) protocol;
        System.arraycopy(source.toBytes(), 0, h, 12, 4);
        System.arraycopy(destination.toBytes(), 0, h, 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((h[i] & 0xff) << 8) | (h[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        put16(h, 10, ~sum & 0xffff);
        return h;
    }

    private static byte[] ipv6(IpAddress source, IpAddress destination, int protocol, int hopLimit, int payload) {
        byte[] h = new byte[40];
        h[0] = 0x60;
        put16(h, 4, payload);
        h[6] = (byte) protocol;
        h[7] = (byte) hopLimit;
        System.arraycopy(source.toBytes(), 0, h, 8, 16);
        System.arraycopy(destination.toBytes(), 0, h, 24, 16);
        return h;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }
}

package org.levee.upstream;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;

/**
 * Turns a rule into FlowSpec routes that match exactly the IP packets the rule matches, or refuses
 * with the reason; it never widens a match silently. The rule's match must be a tcpdump expression
 * in {@link TcpdumpSubset}: a {@code filter}, or classic BPF whose description (the detector's
 * expression) compiles with libpcap to exactly its program. One route per destination of the rule.
 *
 * <p>Two documented departures, both off by default or stated in the translation's notes: an IPv6
 * protocol condition is translated only when {@code ipv6UpperLayerWidening} is set, because
 * FlowSpec's IPv6 protocol component (RFC 8956, type 3) finds the upper-layer protocol behind
 * extension headers, where the rule's filter reads the IPv6 header's own next-header field; and a
 * rate limit in packets per second becomes a traffic rate in bytes per second through the packet
 * length the match fixes, or else through the configured {@code ratelimitPacketBytes}.
 */
public final class FlowSpecTranslator {

    private static final ValueSet TCP_OR_UDP = ValueSet.of(255, 6).union(ValueSet.of(255, 17));
    private static final int IPV6_HEADER = 40;

    private final OptionalLong ratelimitPacketBytes;
    private final boolean ipv6UpperLayerWidening;

    /**
     * @param ratelimitPacketBytes   packet size to turn a ratelimit rule's pps into bytes/s when its
     *                               match does not fix the packet length; empty: refuse such rules
     * @param ipv6UpperLayerWidening accept IPv6 protocol conditions although FlowSpec also matches
     *                               the protocol behind extension headers
     */
    public FlowSpecTranslator(OptionalLong ratelimitPacketBytes, boolean ipv6UpperLayerWidening) {
        this.ratelimitPacketBytes = Objects.requireNonNull(ratelimitPacketBytes, "ratelimitPacketBytes");
        ratelimitPacketBytes.ifPresent(b -> {
            if (b < 20 || b > 65535) {
                throw new IllegalArgumentException("ratelimit packet size " + b + " is outside 20..65535 bytes");
            }
        });
        this.ipv6UpperLayerWidening = ipv6UpperLayerWidening;
    }

    /** A translator that refuses ratelimit rules without a fixed packet length and IPv6 protocol conditions. */
    public static FlowSpecTranslator strict() {
        return new FlowSpecTranslator(OptionalLong.empty(), false);
    }

    /** The FlowSpec routes of {@code rule}, or why there are none. */
    public Translation translate(Rule rule) {
        try {
            return translateOrThrow(rule);
        } catch (Untranslatable e) {
            return new Translation.Refused(rule.id(), "FlowSpec: " + e.getMessage());
        }
    }

    /**
     * The tcpdump expression a rule's match stands for, or why it has none Levee can read: a
     * filter's expression, or the description of classic BPF when libpcap compiles it to exactly
     * the rule's program (so a description can never claim less or more than the code does).
     */
    static String expression(Match match) {
        return switch (match) {
            case Match.Filter f -> f.expression();
            case Match.Cbpf c -> {
                if (c.description().isBlank()) {
                    throw new Untranslatable(
                            "the rule's match is classic BPF without a description; Levee does not guess what"
                                    + " a program means (give it a tcpdump filter)");
                }
                CbpfProgram compiled;
                try {
                    compiled = Libpcap.compile(c.description(), LinkType.EN10MB);
                } catch (RuntimeException e) {
                    throw new Untranslatable("the description of the rule's classic BPF ('" + c.description()
                            + "') is not a tcpdump expression: " + e.getMessage());
                }
                if (!compiled.equals(c.program())) {
                    throw new Untranslatable("the description of the rule's classic BPF ('" + c.description()
                            + "') does not compile to the rule's program");
                }
                yield c.description();
            }
            case Match.Dns d ->
                throw new Untranslatable("DNS query names are in the payload, which FlowSpec cannot match");
            case Match.P0f p ->
                throw new Untranslatable(
                        "p0f signatures match TCP options, window and TTL, which FlowSpec" + " cannot match");
        };
    }

    private Translation translateOrThrow(Rule rule) {
        if (rule.action() instanceof Action.Pass) {
            throw new Untranslatable("a pass rule lets packets through; there is nothing to ask upstream");
        }
        PacketConditions c = TcpdumpSubset.read(expression(rule.match()));
        List<String> notes = new ArrayList<>();
        if (c.vlanRepeated()) {
            notes.add("'(X) or (vlan and X)' read as X: upstream routers match IP packets, not our VLAN tags");
        }
        List<Prefix> destinations = destinations(c.destination().orElse(null), rule.destinations(), c.ipVersion());
        List<Route.FlowSpec> routes = new ArrayList<>();
        for (Prefix destination : destinations) {
            FlowSpecNlri nlri = nlri(destination, c, notes);
            routes.add(new Route.FlowSpec(nlri, action(rule.action(), nlri, notes)));
        }
        return new Translation.Translated(
                rule.id(), List.copyOf(routes), notes.stream().distinct().toList());
    }

    /** The destinations of the routes: the filter's, limited by each of the rule's (one route each). */
    static List<Prefix> destinations(Prefix fromFilter, List<Prefix> ofRule, int version) {
        if (fromFilter == null && ofRule.isEmpty()) {
            throw new Untranslatable(
                    "the rule names no destination; a FlowSpec route for every destination would filter"
                            + " the traffic of every network behind the upstream (add dst host/net or destinations)");
        }
        if (ofRule.isEmpty()) {
            return List.of(fromFilter);
        }
        List<Prefix> out = new ArrayList<>();
        for (Prefix d : ofRule) {
            if (version != 0 && d.network().version() != version) {
                continue;
            }
            if (fromFilter == null || fromFilter.contains(d)) {
                out.add(d);
            } else if (d.contains(fromFilter)) {
                out.add(fromFilter);
            }
        }
        if (out.isEmpty()) {
            throw new Untranslatable("none of the rule's destinations " + ofRule + " overlaps the filter's"
                    + (fromFilter == null ? " IP version" : " " + fromFilter) + ": the rule matches no packet");
        }
        return out.stream().distinct().toList();
    }

    private FlowSpecNlri nlri(Prefix destination, PacketConditions c, List<String> notes) {
        int version = destination.network().version();
        List<FlowSpecComponent> components = new ArrayList<>();
        ValueSet protocol = c.protocol();
        requireSome(protocol, "protocol");
        if (c.transport()) {
            if (!protocol.isSubsetOf(TCP_OR_UDP)) {
                throw new Untranslatable(
                        protocol.contains(132)
                                ? "a port condition without udp or tcp: libpcap's ports are also SCTP's, FlowSpec's are TCP and UDP only"
                                : "ports and TCP flags need the protocol to be tcp or udp, not " + protocol);
            }
            if (!c.tcpFlags().isAll() && !protocol.equals(ValueSet.of(255, 6))) {
                throw new Untranslatable("TCP flags need the protocol to be tcp");
            }
        }
        if (version == 6
                && c.rawIpv6Transport()
                && !c.ipv6FixedNextHeader().isSubsetOf(c.tcpFlags().isAll() ? TCP_OR_UDP : ValueSet.of(255, 6))) {
            throw new Untranslatable(
                    "ip6[40…] is a TCP/UDP header field only when the IPv6 header's next header is fixed"
                            + " to tcp or udp (ip6[6] == 6 or 17); otherwise it may be an extension header");
        }
        if (!protocol.isAll()) {
            if (version == 6) {
                if (!ipv6UpperLayerWidening) {
                    throw new Untranslatable(
                            "an IPv6 protocol condition: FlowSpec's IPv6 protocol component (RFC 8956, type 3)"
                                    + " also matches the protocol behind extension headers, which the rule's filter does not"
                                    + " (set upstream.flowspec.ipv6_extension_headers: widen to accept that)");
                }
                notes.add("IPv6: FlowSpec also matches packets of protocol " + protocol + " behind extension headers,"
                        + " which the rule's filter does not (upstream.flowspec.ipv6_extension_headers: widen)");
            }
            components.add(FlowSpecComponent.Numeric.of(ComponentType.PROTOCOL, protocol));
        }
        numeric(components, ComponentType.SOURCE_PORT, c.sourcePort(), "source port");
        numeric(components, ComponentType.DESTINATION_PORT, c.destinationPort(), "destination port");
        requireSome(c.tcpFlags().isEmpty() ? null : c.tcpFlags(), "TCP flags");
        if (!c.tcpFlags().isAll()) {
            FlowSpecComponent.Bitmask flags = FlowSpecComponent.Bitmask.of(ComponentType.TCP_FLAGS, c.tcpFlags());
            if (flags == null) {
                throw new Untranslatable(
                        "the TCP flags condition (" + c.tcpFlags() + ") is neither one flag pattern nor the"
                                + " negation of one; FlowSpec would need AND and OR mixed, which routers read differently");
            }
            components.add(flags);
        }
        numeric(components, ComponentType.PACKET_LENGTH, packetLength(c.lengthField(), version), "packet length");
        numeric(components, ComponentType.DSCP, c.dscp(), "DSCP");
        if (c.fragment().isEmpty()) {
            throw new Untranslatable("the fragment conditions exclude each other: the filter matches no packet");
        }
        if (!c.fragment().isAll()) {
            components.add(fragment(c.fragment(), version));
        }
        return new FlowSpecNlri(destination, components);
    }

    private static void requireSome(Object set, String what) {
        if (set == null || (set instanceof ValueSet v && v.isEmpty())) {
            throw new Untranslatable("the " + what + " conditions exclude each other: the filter matches no packet");
        }
    }

    private static void numeric(List<FlowSpecComponent> out, ComponentType type, ValueSet set, String what) {
        requireSome(set, what);
        if (!set.isAll()) {
            out.add(FlowSpecComponent.Numeric.of(type, set));
        }
    }

    /** FlowSpec's packet length (IP header included) from the IPv4 total length or the IPv6 payload length. */
    static ValueSet packetLength(ValueSet lengthField, int version) {
        if (version == 4 || lengthField.isAll()) {
            return version == 4 ? lengthField : ValueSet.all(65535);
        }
        if (lengthField.contains(0)) {
            throw new Untranslatable(
                    "an IPv6 payload length condition that allows 0: jumbograms have payload length 0 and"
                            + " a packet length beyond FlowSpec's");
        }
        long max = 65535 + IPV6_HEADER;
        ValueSet shifted = lengthField.shift(IPV6_HEADER, max);
        for (long[] interval : shifted.intervals()) {
            if (interval[0] > 65535 || (interval[1] > 65535 && interval[1] < max)) {
                throw new Untranslatable(
                        "an IPv6 payload length condition ending above 65495: the packet length would not fit"
                                + " GoBGP's 16-bit packet length");
            }
        }
        // Bounded below 65536 except for an open end, which Numeric.of writes as ">= low".
        List<long[]> clipped = new ArrayList<>();
        for (long[] interval : shifted.intervals()) {
            clipped.add(new long[] {interval[0], Math.min(65535, interval[1])});
        }
        ValueSet result = new ValueSet(65535, clipped);
        if (result.isAll()) {
            throw new Untranslatable("internal: an IPv6 length condition became no condition");
        }
        return result;
    }

    /**
     * The fragment component for the allowed flag combinations: combinations no packet has may be
     * added freely, so the one that bitmask terms can write with the fewest terms is chosen.
     */
    static FlowSpecComponent.Bitmask fragment(BitPatternSet allowed, int version) {
        BitSet unreachable = TcpdumpSubset.unreachableFragmentFlags();
        if (version == 6) {
            // IPv6 has no DF (RFC 8956, type 12): the set must not depend on it, and the
            // free combinations are chosen alike with and without it, so no term mentions DF.
            for (int v = 0; v < 16; v += 2) {
                if (allowed.contains(v) != allowed.contains(v | ComponentType.DONT_FRAGMENT)) {
                    throw new Untranslatable("IPv6 has no don't-fragment flag");
                }
            }
            for (int v = 1; v < 16; v += 2) {
                unreachable.clear(v);
            }
        }
        int[] free = unreachable.stream().toArray();
        FlowSpecComponent.Bitmask best = null;
        for (int choice = 0; choice < 1 << free.length; choice++) {
            BitSet values = (BitSet) allowed.values().clone();
            for (int i = 0; i < free.length; i++) {
                values.set(free[i], (choice & (1 << i)) != 0);
                if (version == 6) {
                    values.set(free[i] | ComponentType.DONT_FRAGMENT, (choice & (1 << i)) != 0);
                }
            }
            BitPatternSet candidate = new BitPatternSet(4, values);
            if (candidate.isAll() || candidate.isEmpty()) {
                continue;
            }
            FlowSpecComponent.Bitmask b = FlowSpecComponent.Bitmask.of(ComponentType.FRAGMENT, candidate);
            if (b != null && (best == null || cost(b) < cost(best))) {
                best = b;
            }
        }
        if (best == null) {
            throw new Untranslatable("the fragment condition has no FlowSpec bitmask equivalent");
        }
        return best;
    }

    /** Fewer terms first, then fewer flags named: {@code !is-fragment} rather than {@code !is-fragment+last-fragment}. */
    private static int cost(FlowSpecComponent.Bitmask b) {
        int cost = 0;
        for (FlowSpecComponent.BitmaskTerm t : b.terms()) {
            cost += 16 + Integer.bitCount(t.value());
        }
        return cost;
    }

    private FlowSpecAction action(Action action, FlowSpecNlri nlri, List<String> notes) {
        return switch (action) {
            case Action.Drop d -> new FlowSpecAction.Discard();
            case Action.RateLimit r -> {
                long bytes;
                FlowSpecComponent length = nlri.component(ComponentType.PACKET_LENGTH);
                long fixed = length instanceof FlowSpecComponent.Numeric n
                                && n.terms().size() == 1
                                && n.terms().getFirst().operator() == 0x01
                        ? n.terms().getFirst().value()
                        : -1;
                if (fixed > 0) {
                    bytes = fixed;
                    notes.add(r.pps() + " pps × " + fixed + " bytes (the packet length the match fixes) = "
                            + r.pps() * fixed + " bytes/s");
                } else if (ratelimitPacketBytes.isPresent()) {
                    bytes = ratelimitPacketBytes.getAsLong();
                    notes.add(r.pps() + " pps × " + bytes + " bytes (upstream.flowspec.ratelimit_packet_bytes) = "
                            + r.pps() * bytes + " bytes/s");
                } else {
                    throw new Untranslatable(
                            "a rate limit of " + r.pps() + " pps: FlowSpec's traffic-rate is in bytes per"
                                    + " second and the match does not fix the packet length (set"
                                    + " upstream.flowspec.ratelimit_packet_bytes to translate with a stated packet size)");
                }
                yield new FlowSpecAction.TrafficRate((float) ((double) r.pps() * bytes));
            }
            case Action.Pass p -> throw new Untranslatable("a pass rule has no upstream action");
        };
    }
}

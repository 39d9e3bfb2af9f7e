package org.levee.upstream;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.levee.rules.Prefix;

/**
 * Reads the part of the tcpdump language whose meaning FlowSpec can state exactly, and refuses the
 * rest with the reason. Accepted: a conjunction ({@code and}, {@code &&}, parentheses around
 * conjunctions) of
 * <ul>
 *   <li>{@code ip}, {@code ip6};</li>
 *   <li>{@code dst host ADDR}, {@code dst net PREFIX}, {@code dst ADDR};</li>
 *   <li>{@code udp}, {@code tcp}, {@code icmp}, {@code icmp6}, {@code ip proto N}, {@code ip6 proto N},
 *       {@code proto N} (N a number or udp/tcp/icmp);</li>
 *   <li>{@code [udp|tcp] src|dst port N}, {@code [udp|tcp] src|dst portrange A-B};</li>
 *   <li>comparisons ({@code == = != < <= > >=}) of a load, optionally masked with {@code & M}, with
 *       a number or TCP flag names ({@code tcp-syn|tcp-ack}): {@code ip[9]} (protocol),
 *       {@code ip[2:2]} (total length), {@code ip[1]} (DSCP, the ECN bits masked out),
 *       {@code ip[6]} and {@code ip[6:2]} (DF, MF, fragment offset zero or not), {@code tcp[13]} /
 *       {@code tcp[tcpflags]}, {@code tcp[0:2]} {@code tcp[2:2]} {@code udp[0:2]} {@code udp[2:2]}
 *       (ports), {@code ip6[6]} (the IPv6 header's next header), {@code ip6[4:2]} (payload length),
 *       {@code ip6[0:2]} (DSCP), {@code ip6[40:2]} {@code ip6[42:2]} {@code ip6[53]} (ports and TCP
 *       flags behind the fixed header, also written {@code ip6[40 + K]});</li>
 *   <li>the whole conjunction repeated behind a VLAN tag, {@code (X) or (vlan and X)}, as the
 *       detector writes it.</li>
 * </ul>
 * A condition on a load is accepted only when it depends on nothing FlowSpec cannot see (the ECN
 * bits of the TOS byte, the reserved flag, the value of a non-zero fragment offset, the flow
 * label): every value of the load is tried.
 */
public final class TcpdumpSubset {
    private TcpdumpSubset() {}

    private static final Pattern TOKEN =
            Pattern.compile("\\s*(==|!=|<=|>=|&&|\\|\\||[()\\[\\]&|!<>=+]|[A-Za-z0-9_.:/-]+)");
    private static final Pattern VLAN_FORM =
            Pattern.compile("\\s*\\((.*)\\)\\s+or\\s+\\(\\s*vlan\\s+and\\s+(.*)\\)\\s*", Pattern.DOTALL);
    private static final Map<String, Integer> TCP_FLAG_NAMES = Map.of(
            "tcp-fin",
            0x01,
            "tcp-syn",
            0x02,
            "tcp-rst",
            0x04,
            "tcp-push",
            0x08,
            "tcp-ack",
            0x10,
            "tcp-urg",
            0x20,
            "tcp-ece",
            0x40,
            "tcp-cwr",
            0x80);
    private static final Map<String, Integer> PROTOCOL_NAMES = Map.of("icmp", 1, "tcp", 6, "udp", 17, "icmp6", 58);
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int SCTP = 132;

    /**
     * The conditions {@code expression} puts on a packet.
     *
     * @throws Untranslatable naming the term FlowSpec cannot express and why
     */
    static PacketConditions read(String expression) {
        String text = expression.strip();
        boolean vlan = false;
        Matcher m = VLAN_FORM.matcher(text);
        if (m.matches() && normalise(m.group(1)).equals(normalise(m.group(2)))) {
            text = m.group(1);
            vlan = true;
        }
        List<String> tokens = tokens(text);
        if (tokens.isEmpty()) {
            throw new Untranslatable("the filter is empty: it matches every packet");
        }
        Builder b = new Builder();
        b.vlan = vlan;
        for (List<String> term : terms(tokens)) {
            b.term(term);
        }
        return b.build();
    }

    private static String normalise(String s) {
        return String.join(" ", tokens(s));
    }

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                if (text.substring(at).isBlank()) {
                    break;
                }
                throw new Untranslatable("cannot read the filter at character " + at + ": '"
                        + text.substring(at).strip() + "'");
            }
            out.add(m.group(1));
            at = m.end();
        }
        return out;
    }

    /** Splits a conjunction into its terms, opening parentheses around conjunctions. */
    private static List<List<String>> terms(List<String> tokens) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int depth = 0;
        for (String t : tokens) {
            switch (t) {
                case "(" -> depth++;
                case ")" -> {
                    depth--;
                    if (depth < 0) {
                        throw new Untranslatable("unbalanced ')' in the filter");
                    }
                }
                case "or", "||" ->
                    throw new Untranslatable("'or' (other than '(X) or (vlan and X)'): one FlowSpec route is a"
                            + " conjunction, and Levee does not split a rule into several routes");
                case "not", "!" ->
                    throw new Untranslatable("'" + t + "': FlowSpec cannot negate a condition in general");
                default -> {}
            }
            if ((t.equals("and") || t.equals("&&"))) {
                if (!current.isEmpty()) {
                    out.add(current);
                }
                current = new ArrayList<>();
            } else if (!t.equals("(") && !t.equals(")") || inBrackets(current)) {
                current.add(t);
            }
        }
        if (depth != 0) {
            throw new Untranslatable("unbalanced '(' in the filter");
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** True when the term so far has an unclosed '[' (parentheses there belong to the term, e.g. a flag mask). */
    private static boolean inBrackets(List<String> term) {
        int open = 0;
        for (String t : term) {
            open += t.equals("[") ? 1 : t.equals("]") ? -1 : 0;
        }
        return open > 0 || (!term.isEmpty() && term.getLast().equals("&"));
    }

    /** A field read by a load: protocol header, offset, size. */
    private record Load(String base, int offset, int size) {
        String text() {
            return base + "[" + offset + (size == 1 ? "" : ":" + size) + "]";
        }
    }

    private static final class Builder {
        int version;
        Prefix destination;
        ValueSet protocol = ValueSet.all(255);
        ValueSet fixedNextHeader = ValueSet.all(255);
        ValueSet sourcePort = ValueSet.all(65535);
        ValueSet destinationPort = ValueSet.all(65535);
        ValueSet lengthField = ValueSet.all(65535);
        ValueSet dscp = ValueSet.all(63);
        BitPatternSet tcpFlags = BitPatternSet.all(8);
        BitPatternSet fragment = BitPatternSet.all(4);
        boolean transport;
        boolean rawIpv6Transport;
        boolean vlan;

        PacketConditions build() {
            return new PacketConditions(
                    version,
                    Optional.ofNullable(destination),
                    protocol,
                    fixedNextHeader,
                    sourcePort,
                    destinationPort,
                    lengthField,
                    dscp,
                    tcpFlags,
                    fragment,
                    transport,
                    rawIpv6Transport,
                    vlan);
        }

        void version(int v, String term) {
            if (version != 0 && version != v) {
                throw new Untranslatable("'" + term + "' is IPv" + v + " but an earlier term is IPv" + version
                        + ": the filter matches no packet");
            }
            version = v;
        }

        void protocol(ValueSet allowed) {
            protocol = protocol.intersect(allowed);
        }

        void term(List<String> t) {
            String text = String.join(" ", t);
            String first = t.getFirst();
            if (first.equals("len") || first.equals("greater") || first.equals("less")) {
                throw new Untranslatable("'" + text + "': len is the frame's length with the Ethernet header, tags and"
                        + " padding; FlowSpec's packet length is the IP packet's: write ip[2:2] (IPv4) or ip6[4:2] (IPv6"
                        + " payload length)");
            }
            if (t.contains("[") || (t.size() >= 3 && isComparison(t.get(t.size() - 2)))) {
                comparison(t, text);
                return;
            }
            switch (first) {
                case "ip", "ip6" -> {
                    version(first.equals("ip") ? 4 : 6, text);
                    if (t.size() == 1) {
                        return;
                    }
                    if (t.size() == 3 && t.get(1).equals("proto")) {
                        protocol(ValueSet.of(255, protocolNumber(t.get(2), text)));
                        return;
                    }
                }
                case "proto" -> {
                    if (t.size() == 2) {
                        protocol(ValueSet.of(255, protocolNumber(t.get(1), text)));
                        return;
                    }
                }
                case "udp", "tcp", "icmp", "icmp6" -> {
                    if (first.equals("icmp")) {
                        version(4, text);
                    } else if (first.equals("icmp6")) {
                        version(6, text);
                    }
                    if (t.size() == 1) {
                        protocol(ValueSet.of(255, PROTOCOL_NAMES.get(first)));
                        return;
                    }
                    if ((first.equals("udp") || first.equals("tcp")) && t.size() == 4) {
                        protocol(ValueSet.of(255, PROTOCOL_NAMES.get(first)));
                        port(t.subList(1, 4), text);
                        return;
                    }
                }
                case "src", "dst" -> {
                    if (t.size() == 3 && (t.get(1).equals("port") || t.get(1).equals("portrange"))) {
                        // libpcap's bare port means TCP, UDP or SCTP; FlowSpec's ports are TCP and UDP only.
                        protocol(ValueSet.of(255, TCP)
                                .union(ValueSet.of(255, UDP))
                                .union(ValueSet.of(255, SCTP)));
                        port(t, text);
                        return;
                    }
                    if (first.equals("src")) {
                        throw new Untranslatable(
                                "'" + text + "': Levee's FlowSpec routes match destinations; source addresses of"
                                        + " floods are spoofed");
                    }
                    if (t.size() == 3 && (t.get(1).equals("host") || t.get(1).equals("net"))) {
                        destination(t.get(2), t.get(1).equals("host"), text);
                        return;
                    }
                    if (t.size() == 2) {
                        destination(t.get(1), true, text);
                        return;
                    }
                }
                case "host", "net", "port", "portrange" ->
                    throw new Untranslatable("'" + text + "' matches the source or the"
                            + " destination; FlowSpec from Levee states the destination: write dst " + first);
                case "vlan" ->
                    throw new Untranslatable("'" + text + "': VLAN tags are local to our link; only"
                            + " '(X) or (vlan and X)' is read (as X)");
                default -> {}
            }
            throw new Untranslatable("'" + text + "' has no FlowSpec equivalent (not in the subset Levee translates)");
        }

        void destination(String text, boolean host, String term) {
            Prefix p;
            try {
                p = Prefix.parse(text);
            } catch (IllegalArgumentException e) {
                throw new Untranslatable("'" + term + "': " + e.getMessage());
            }
            if (host && !p.isHost()) {
                throw new Untranslatable("'" + term + "': a host is an address, not a network");
            }
            version(p.network().version(), term);
            if (destination == null || p.contains(destination)) {
                destination = destination == null ? p : destination;
            } else if (destination.contains(p)) {
                destination = p;
            } else {
                throw new Untranslatable(
                        "'" + term + "' and dst " + destination + " do not overlap: the filter matches no packet");
            }
        }

        void port(List<String> t, String term) {
            boolean source = t.get(0).equals("src");
            ValueSet ports;
            if (t.get(1).equals("port")) {
                ports = ValueSet.of(65535, number(t.get(2), 65535, term));
            } else {
                String[] range = t.get(2).split("-", -1);
                if (range.length != 2) {
                    throw new Untranslatable("'" + term + "': a port range is LOW-HIGH");
                }
                long a = number(range[0], 65535, term);
                long b = number(range[1], 65535, term);
                ports = ValueSet.range(65535, Math.min(a, b), Math.max(a, b));
            }
            transport = true;
            fragment = fragment.intersect(notLaterFragment());
            if (source) {
                sourcePort = sourcePort.intersect(ports);
            } else {
                destinationPort = destinationPort.intersect(ports);
            }
        }

        void comparison(List<String> t, String term) {
            int opAt = -1;
            for (int i = 0; i < t.size(); i++) {
                if (isComparison(t.get(i))) {
                    if (opAt >= 0) {
                        throw new Untranslatable("'" + term + "' has two comparisons");
                    }
                    opAt = i;
                }
            }
            if (opAt < 0) {
                throw new Untranslatable("'" + term + "' is not a comparison");
            }
            List<String> left = t.subList(0, opAt);
            String op = t.get(opAt);
            long value = constant(t.subList(opAt + 1, t.size()), term);
            int bracket = left.indexOf("]");
            if (left.size() < 4 || !left.get(1).equals("[") || bracket < 0) {
                throw new Untranslatable("'" + term + "': the left side is not a load such as ip[6:2] or tcp[13]");
            }
            Load load = load(left.getFirst(), left.subList(2, bracket), term);
            long mask = -1;
            List<String> rest = left.subList(bracket + 1, left.size());
            if (!rest.isEmpty()) {
                if (!rest.getFirst().equals("&") || rest.size() < 2) {
                    throw new Untranslatable("'" + term + "': only '& MASK' may follow a load");
                }
                mask = constant(rest.subList(1, rest.size()), term);
            }
            long fieldMask = load.size == 1 ? 0xff : 0xffff;
            long m = mask & fieldMask;
            LongPredicate p = switch (op) {
                case "==", "=" -> v -> (v & m) == value;
                case "!=" -> v -> (v & m) != value;
                case "<" -> v -> (v & m) < value;
                case "<=" -> v -> (v & m) <= value;
                case ">" -> v -> (v & m) > value;
                case ">=" -> v -> (v & m) >= value;
                default -> throw new Untranslatable("'" + op + "' is not a comparison");
            };
            apply(load, p, term);
        }

        void apply(Load load, LongPredicate p, String term) {
            switch (load.base + "[" + load.offset + ":" + load.size + "]") {
                case "ip[9:1]" -> {
                    version(4, term);
                    protocol(valuesOf(p, 255));
                }
                case "ip[2:2]" -> {
                    version(4, term);
                    lengthField = lengthField.intersect(valuesOf(p, 65535));
                }
                case "ip[1:1]" -> {
                    version(4, term);
                    dscp = dscp.intersect(dscpOf(p, 0, 0, 0xff, term));
                }
                case "ip[6:1]" -> {
                    version(4, term);
                    fragment = fragment.intersect(fragmentOfFlagsByte(p, term));
                }
                case "ip[6:2]" -> {
                    version(4, term);
                    fragment = fragment.intersect(fragmentOfFlagsAndOffset(p, term));
                }
                case "tcp[13:1]" -> {
                    version(4, term);
                    protocol(ValueSet.of(255, TCP));
                    transport = true;
                    fragment = fragment.intersect(notLaterFragment());
                    tcpFlags = tcpFlags.intersect(bitsOf(p, 8));
                }
                case "tcp[0:2]", "udp[0:2]", "tcp[2:2]", "udp[2:2]" -> {
                    version(4, term);
                    protocol(ValueSet.of(255, load.base.equals("tcp") ? TCP : UDP));
                    transport = true;
                    fragment = fragment.intersect(notLaterFragment());
                    if (load.offset == 0) {
                        sourcePort = sourcePort.intersect(valuesOf(p, 65535));
                    } else {
                        destinationPort = destinationPort.intersect(valuesOf(p, 65535));
                    }
                }
                case "ip6[6:1]" -> {
                    version(6, term);
                    ValueSet nh = valuesOf(p, 255);
                    fixedNextHeader = fixedNextHeader.intersect(nh);
                    protocol(nh);
                }
                case "ip6[4:2]" -> {
                    version(6, term);
                    lengthField = lengthField.intersect(valuesOf(p, 65535));
                }
                case "ip6[0:2]" -> {
                    version(6, term);
                    dscp = dscp.intersect(dscpOf(p, 0x6000, 4, 0xffff, term));
                }
                case "ip6[40:2]", "ip6[42:2]" -> {
                    version(6, term);
                    transport = true;
                    rawIpv6Transport = true;
                    if (load.offset == 40) {
                        sourcePort = sourcePort.intersect(valuesOf(p, 65535));
                    } else {
                        destinationPort = destinationPort.intersect(valuesOf(p, 65535));
                    }
                }
                case "ip6[53:1]" -> {
                    version(6, term);
                    transport = true;
                    rawIpv6Transport = true;
                    protocol(ValueSet.of(255, TCP));
                    tcpFlags = tcpFlags.intersect(bitsOf(p, 8));
                }
                default ->
                    throw new Untranslatable("'" + term + "': " + load.text() + " is no field FlowSpec matches"
                            + " (Levee translates protocol, ports, packet length, TCP flags, fragment and DSCP)");
            }
        }

        Load load(String base, List<String> inside, String term) {
            if (!List.of("ip", "ip6", "tcp", "udp").contains(base)) {
                throw new Untranslatable("'" + term + "': " + base + "[] is no field FlowSpec matches");
            }
            int size = 1;
            List<String> offsetTokens = inside;
            if (!inside.isEmpty() && inside.getLast().contains(":")) {
                String[] parts = inside.getLast().split(":", -1);
                if (parts.length != 2) {
                    throw new Untranslatable("'" + term + "': cannot read the load size");
                }
                size = (int) number(parts[1], 4, term);
                offsetTokens = new ArrayList<>(inside.subList(0, inside.size() - 1));
                if (!parts[0].isEmpty()) {
                    offsetTokens.add(parts[0]);
                }
            }
            if (size != 1 && size != 2) {
                throw new Untranslatable("'" + term + "': a " + size + "-byte load is no field FlowSpec matches");
            }
            long offset = 0;
            boolean expectNumber = true;
            for (String tok : offsetTokens) {
                if (expectNumber) {
                    offset += tok.equals("tcpflags") ? 13 : number(tok, 65535, term);
                } else if (!tok.equals("+")) {
                    throw new Untranslatable("'" + term + "': a load offset is a number or a sum of numbers");
                }
                expectNumber = !expectNumber;
            }
            if (expectNumber) {
                throw new Untranslatable("'" + term + "': the load has no offset");
            }
            return new Load(base, (int) offset, size);
        }

        long constant(List<String> tokens, String term) {
            // Parentheses around a constant ("(tcp-syn|tcp-ack)") group nothing else here.
            List<String> toks = tokens.stream()
                    .filter(x -> !x.equals("(") && !x.equals(")"))
                    .toList();
            long value = 0;
            boolean expectValue = true;
            for (String tok : toks) {
                if (expectValue) {
                    Integer flag = TCP_FLAG_NAMES.get(tok);
                    value |= flag != null ? flag : number(tok, 0xffffffffL, term);
                } else if (!tok.equals("|")) {
                    throw new Untranslatable("'" + term + "': a constant is a number or flag names joined by '|'");
                }
                expectValue = !expectValue;
            }
            if (expectValue) {
                throw new Untranslatable("'" + term + "': a comparison needs a value");
            }
            return value;
        }
    }

    private static boolean isComparison(String t) {
        return t.equals("==")
                || t.equals("=")
                || t.equals("!=")
                || t.equals("<")
                || t.equals("<=")
                || t.equals(">")
                || t.equals(">=");
    }

    private static int protocolNumber(String text, String term) {
        Integer named = PROTOCOL_NAMES.get(text.startsWith("\\") ? text.substring(1) : text);
        return named != null ? named : (int) number(text, 255, term);
    }

    static long number(String text, long max, String term) {
        long v;
        try {
            v = text.startsWith("0x") || text.startsWith("0X")
                    ? Long.parseLong(text.substring(2), 16)
                    : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Untranslatable("'" + term + "': '" + text + "' is not a number");
        }
        if (v < 0 || v > max) {
            throw new Untranslatable("'" + term + "': " + v + " is outside 0.." + max);
        }
        return v;
    }

    /** The values 0..max the predicate holds for. */
    static ValueSet valuesOf(LongPredicate p, long max) {
        List<long[]> runs = new ArrayList<>();
        long start = -1;
        for (long v = 0; v <= max + 1; v++) {
            boolean in = v <= max && p.test(v);
            if (in && start < 0) {
                start = v;
            } else if (!in && start >= 0) {
                runs.add(new long[] {start, v - 1});
                start = -1;
            }
        }
        return new ValueSet(max, runs);
    }

    static BitPatternSet bitsOf(LongPredicate p, int width) {
        BitSet set = new BitSet();
        for (int v = 0; v < 1 << width; v++) {
            if (p.test(v)) {
                set.set(v);
            }
        }
        return new BitPatternSet(width, set);
    }

    /**
     * The DSCP values a condition on a load holding the DS field allows: the load is
     * {@code fixed | (tos << tosShift) | other}; the condition must not depend on the two ECN bits
     * or on bits outside the TOS byte (IPv6: the flow label's first four bits).
     */
    static ValueSet dscpOf(LongPredicate p, long fixed, int tosShift, long loadMask, String term) {
        long tosBits = 0xffL << tosShift;
        long otherBits = loadMask & ~tosBits & ~fixed & (loadMask == 0xff ? 0xff : 0x0fff);
        List<long[]> runs = new ArrayList<>();
        BitSet allowed = new BitSet();
        for (long tos = 0; tos < 256; tos++) {
            boolean reference = p.test(fixed | ((tos & 0xfc) << tosShift));
            for (long other = otherBits; ; other = (other - 1) & otherBits) {
                if (p.test(fixed | (tos << tosShift) | other) != reference) {
                    throw new Untranslatable("'" + term + "' depends on the ECN bits or the flow label, which FlowSpec"
                            + " cannot match: mask the DSCP bits (ip[1] & 0xfc, ip6[0:2] & 0x0fc0)");
                }
                if (other == 0) {
                    break;
                }
            }
            if (reference) {
                allowed.set((int) (tos >> 2));
            }
        }
        for (int d = allowed.nextSetBit(0); d >= 0; d = allowed.nextSetBit(d + 1)) {
            int end = allowed.nextClearBit(d);
            runs.add(new long[] {d, end - 1});
            d = end;
        }
        return new ValueSet(63, runs);
    }

    /** FlowSpec's fragment flags of an IPv4 packet with don't-fragment, more-fragments and offset. */
    static int fragmentFlags(boolean df, boolean mf, boolean offsetZero) {
        return (df ? ComponentType.DONT_FRAGMENT : 0)
                | (offsetZero ? 0 : ComponentType.IS_FRAGMENT)
                | (offsetZero && mf ? ComponentType.FIRST_FRAGMENT : 0)
                | (!offsetZero && !mf ? ComponentType.LAST_FRAGMENT : 0);
    }

    /** The flag combinations no packet has: free to include or not. */
    static BitSet unreachableFragmentFlags() {
        BitSet reachable = new BitSet();
        for (int i = 0; i < 8; i++) {
            reachable.set(fragmentFlags((i & 1) != 0, (i & 2) != 0, (i & 4) != 0));
        }
        BitSet unreachable = new BitSet();
        unreachable.set(0, 16);
        unreachable.andNot(reachable);
        return unreachable;
    }

    private static BitPatternSet notLaterFragment() {
        return BitPatternSet.masked(4, ComponentType.IS_FRAGMENT, 0, true);
    }

    /** {@code ip[6:2]}: the condition may depend on DF, MF and whether the offset is zero only. */
    static BitPatternSet fragmentOfFlagsAndOffset(LongPredicate p, String term) {
        BitSet allowed = new BitSet();
        for (long v = 0; v < 65536; v++) {
            boolean df = (v & 0x4000) != 0;
            boolean mf = (v & 0x2000) != 0;
            boolean zero = (v & 0x1fff) == 0;
            long canonical = (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (zero ? 0 : 1);
            if (p.test(v) != p.test(canonical)) {
                throw new Untranslatable("'" + term + "' depends on the reserved flag or on the value of a non-zero"
                        + " fragment offset; FlowSpec sees DF, first/later/last fragment only");
            }
            if (p.test(v)) {
                allowed.set(fragmentFlags(df, mf, zero));
            }
        }
        return reachableSet(allowed, term);
    }

    /** {@code ip[6]}: the condition may depend on DF and MF only. */
    static BitPatternSet fragmentOfFlagsByte(LongPredicate p, String term) {
        BitSet allowed = new BitSet();
        for (long v = 0; v < 256; v++) {
            if (p.test(v) != p.test(v & 0x60)) {
                throw new Untranslatable("'" + term + "' depends on the reserved flag or on fragment offset bits;"
                        + " FlowSpec sees DF and MF (as first/later/last fragment) only");
            }
            if (p.test(v)) {
                for (int zero = 0; zero < 2; zero++) {
                    allowed.set(fragmentFlags((v & 0x40) != 0, (v & 0x20) != 0, zero == 1));
                }
            }
        }
        return reachableSet(allowed, term);
    }

    private static BitPatternSet reachableSet(BitSet allowed, String term) {
        return new BitPatternSet(4, allowed);
    }
}

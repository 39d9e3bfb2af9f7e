package org.levee.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.testing.Requirements;

/**
 * Proves the translation exact: for every translated rule, packets that hit and nearly miss each
 * component (each boundary value, one below and one above; each address at and just outside the
 * prefix; each flag; each fragment state) are run through the rule's compiled classic BPF in
 * {@link CbpfInterpreter} and through {@link FlowSpecModel} on the announced NLRI, and the two
 * must agree on every packet. IPv6 rules translated under the configured widening must agree on
 * packets without extension headers, and on packets with a hop-by-hop header FlowSpec may only
 * match more, never less.
 */
class FlowSpecDifferentialTest {

    private static final int PACKETS_PER_RULE = 3000;
    private static final RuleFilters FILTERS = new RuleFilters();
    private static final FlowSpecTranslator WIDENING = new FlowSpecTranslator(OptionalLong.of(500), true);

    @BeforeAll
    static void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    static Stream<Arguments> rules() {
        String d4 = "203.0.113.10";
        String d6 = "2001:db8:1::10";
        String vlanForm = "ip and dst host " + d4
                + " and ip proto 17 and ip[6:2] & 0x1fff == 0 and src port 123 and ip[2:2] == 468";
        return Stream.of(
                Arguments.of("udp and src port 11211 and dst host " + d4, List.of()),
                Arguments.of(
                        "ip and dst net 203.0.113.0/24 and tcp and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
                        List.of()),
                Arguments.of(
                        "ip and dst host " + d4 + " and ip proto 17 and ip[6:2] & 0x1fff == 0 and src port 19",
                        List.of()),
                Arguments.of("ip and dst host " + d4 + " and ip[6:2] & 0x1fff != 0", List.of()),
                Arguments.of("dst host " + d4 + " and udp and ip[2:2] == 1400", List.of()),
                Arguments.of("dst host " + d4 + " and ip[2:2] >= 1000 and ip[2:2] < 1500", List.of()),
                Arguments.of("dst host " + d4 + " and ip[1] & 0xfc == 0xb8", List.of()),
                Arguments.of("dst net 203.0.113.0/25 and tcp dst portrange 1000-2000", List.of()),
                Arguments.of("dst host " + d4 + " and tcp[13] != 0x10", List.of()),
                Arguments.of("dst host " + d4 + " and tcp[13] & 0x12 != 0x02", List.of()),
                Arguments.of("ip and dst host " + d4 + " and ip[6] & 0x40 != 0", List.of()),
                Arguments.of("dst host " + d4 + " and ip[6:2] & 0x3fff != 0", List.of()),
                Arguments.of("dst host " + d4 + " and ip[6:2] & 0x5fff == 0x4000", List.of()),
                Arguments.of("(" + vlanForm + ") or (vlan and " + vlanForm + ")", List.of()),
                Arguments.of("icmp and dst host " + d4, List.of()),
                Arguments.of("udp dst port 53", List.of("203.0.113.0/28", "203.0.113.64/26")),
                Arguments.of("ip proto 47 and dst host " + d4, List.of()),
                Arguments.of("dst host " + d4 + " and udp and udp[0:2] > 1023", List.of()),
                Arguments.of("dst " + d4 + " and tcp and src port 80 and tcp dst port 443", List.of()),
                Arguments.of("dst net 203.0.113.0/24 and udp and ip[2:2] != 60", List.of("203.0.113.8/29")),
                Arguments.of("ip6 and dst host " + d6, List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and ip6[6] == 17 and ip6[40:2] == 53", List.of()),
                Arguments.of("ip6 and dst net 2001:db8:1::/64 and udp dst port 443", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and ip6[6] == 6 and ip6[40 + 13] & 0x12 == 0x02", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and ip6[4:2] == 1232", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and ip6[4:2] > 512", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and ip6[0:2] & 0x0fc0 == 0x0b80", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and udp", List.of()),
                Arguments.of("ip6 and dst host " + d6 + " and tcp and dst port 22", List.of()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rules")
    void everyTranslatedRuleAgreesWithItsClassicBpf(String expression, List<String> destinations) {
        Rule rule = rule(expression, destinations, new Action.Drop());
        Translation t = WIDENING.translate(rule);
        assertThat(t).as("translation of %s", expression).isInstanceOf(Translation.Translated.class);
        agree(rule, (Translation.Translated) t, new Random(expression.hashCode()), true);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomConjunctionsAreExactOrRefused(long seed) {
        Random random = new Random(seed);
        String[] pool4 = {
            "udp",
            "tcp",
            "ip proto 17",
            "icmp",
            "src port 53",
            "dst port 80",
            "udp src port 123",
            "tcp dst portrange 20-25",
            "ip[2:2] > 100",
            "ip[2:2] <= 1500",
            "ip[2:2] == 576",
            "ip[1] & 0xfc == 0x28",
            "ip[1] & 0xfc != 0",
            "ip[6:2] & 0x1fff == 0",
            "ip[6:2] & 0x1fff != 0",
            "ip[6] & 0x40 == 0",
            "ip[6:2] & 0x2000 != 0",
            "tcp[13] & 0x02 != 0",
            "tcp[tcpflags] == tcp-ack",
            "tcp[13] & 0x14 != 0x04",
            "udp[2:2] < 1024",
            "ip[9] != 6",
            "ip[2:2] & 0xff00 == 0x0500",
            "tcp[13] & 0x03 != 0 and tcp[13] & 0x03 != 3"
        };
        int translated = 0;
        for (int i = 0; i < 60; i++) {
            List<String> terms = new ArrayList<>();
            terms.add(
                    random.nextBoolean()
                            ? "dst host 203.0.113." + random.nextInt(256)
                            : "dst net 203.0.113.0/" + (24 + random.nextInt(9)));
            int n = 1 + random.nextInt(3);
            for (int k = 0; k < n; k++) {
                terms.add(pool4[random.nextInt(pool4.length)]);
            }
            java.util.Collections.shuffle(terms, random);
            String expression = String.join(" and ", terms);
            Rule rule;
            try {
                rule = rule(expression, List.of(), new Action.Drop());
                FILTERS.compile(rule);
            } catch (RuntimeException e) {
                continue; // libpcap refuses the combination itself (e.g. prefix bits after the length)
            }
            Translation t = WIDENING.translate(rule);
            if (t instanceof Translation.Translated ok) {
                translated++;
                agree(rule, ok, random, false);
            } else {
                assertThat(((Translation.Refused) t).reason())
                        .as(expression)
                        .startsWith("FlowSpec: ")
                        .hasSizeGreaterThan(30);
            }
        }
        assertThat(translated).as("rules translated of 60").isGreaterThan(10);
    }

    /** Runs the packets through both sides; requires at least one hit and one miss when {@code bothOutcomes}. */
    private static void agree(Rule rule, Translation.Translated t, Random random, boolean bothOutcomes) {
        RuleFilter filter = FILTERS.compile(rule);
        boolean vlanForm =
                rule.match() instanceof Match.Filter f && f.expression().contains("(vlan and");
        int hits = 0;
        int misses = 0;
        for (Route route : t.routes()) {
            FlowSpecNlri nlri = ((Route.FlowSpec) route).nlri();
            for (FlowSpecComponent c : nlri.components()) {
                andFirstReadingAgrees(c);
            }
            Candidates candidates = new Candidates(nlri, random);
            for (int i = 0; i < PACKETS_PER_RULE; i++) {
                TestPacket p = candidates.next(vlanForm && random.nextBoolean(), false);
                byte[] frame = p.frame();
                boolean cbpf = cbpf(filter, frame);
                boolean flowSpec = anyRoute(t, frame);
                assertThat(flowSpec)
                        .as("rule %s, route %s, packet %s: FlowSpec vs classic BPF", rule.match(), nlri, p)
                        .isEqualTo(cbpf);
                if (cbpf) {
                    hits++;
                } else {
                    misses++;
                }
                if (nlri.ipVersion() == 6) {
                    TestPacket extended = candidates.next(false, true);
                    byte[] f = extended.frame();
                    if (cbpf(filter, f)) {
                        assertThat(anyRoute(t, f))
                                .as("IPv6 with extension header %s: FlowSpec may only widen", extended)
                                .isTrue();
                    }
                }
            }
        }
        if (bothOutcomes) {
            assertThat(hits).as("packets the rule matches").isGreaterThan(PACKETS_PER_RULE / 20);
            assertThat(misses).as("packets the rule does not match").isGreaterThan(PACKETS_PER_RULE / 20);
        }
    }

    private static boolean anyRoute(Translation.Translated t, byte[] frame) {
        for (Route r : t.routes()) {
            if (FlowSpecModel.matches(((Route.FlowSpec) r).nlri(), frame)) {
                return true;
            }
        }
        return false;
    }

    private static boolean cbpf(RuleFilter filter, byte[] frame) {
        return CbpfInterpreter.matches(filter.match(), frame, frame.length)
                && filter.destination()
                        .map(d -> CbpfInterpreter.matches(d, frame, frame.length))
                        .orElse(true);
    }

    /** A term list must mean the same read left to right (RFC 8955) and with AND before OR. */
    private static void andFirstReadingAgrees(FlowSpecComponent c) {
        long max = Math.min(c.type().max(), 70000);
        for (long value = 0; value <= max; value++) {
            final long v = value;
            boolean andFirst = false;
            boolean group = true;
            boolean first = true;
            List<Boolean> results = new ArrayList<>();
            List<Boolean> ands = new ArrayList<>();
            switch (c) {
                case FlowSpecComponent.Numeric n -> n.terms().forEach(x -> results.add(x.test(v)));
                case FlowSpecComponent.Bitmask b -> b.terms().forEach(x -> results.add(x.test(v)));
            }
            switch (c) {
                case FlowSpecComponent.Numeric n -> n.terms().forEach(x -> ands.add(x.and()));
                case FlowSpecComponent.Bitmask b -> b.terms().forEach(x -> ands.add(x.and()));
            }
            for (int i = 0; i < results.size(); i++) {
                if (!first && !ands.get(i)) {
                    andFirst |= group;
                    group = true;
                }
                group &= results.get(i);
                first = false;
            }
            andFirst |= group;
            assertThat(c.test(v)).as("%s at %d", c, v).isEqualTo(andFirst);
        }
    }

    static Rule rule(String expression, List<String> destinations, Action action) {
        return new Rule(
                "r",
                new Match.Filter(expression),
                destinations.stream().map(Prefix::parse).toList(),
                List.of(),
                action,
                Optional.empty(),
                "",
                Origin.MANUAL);
    }

    /** Field values near each component's boundaries, most of them chosen to satisfy it. */
    private static final class Candidates {
        final FlowSpecNlri nlri;
        final Random random;
        final List<IpAddress> addresses = new ArrayList<>();
        final List<Integer> protocols = new ArrayList<>(List.of(1, 6, 17, 47, 58, 132));
        final List<Integer> ports = new ArrayList<>(List.of(0, 53, 80, 123, 443, 1023, 1024, 11211, 65535));
        final List<Integer> flags =
                new ArrayList<>(List.of(0x00, 0x02, 0x10, 0x12, 0x11, 0x04, 0x14, 0x18, 0xff, 0x01));
        final List<Integer> lengths = new ArrayList<>(List.of(40, 60, 100, 101, 576, 1280, 1500, 9000));
        final List<Integer> dscps = new ArrayList<>(List.of(0, 10, 46, 63));

        Candidates(FlowSpecNlri nlri, Random random) {
            this.nlri = nlri;
            this.random = random;
            Prefix p = nlri.destination();
            IpAddress first = p.network();
            IpAddress last = last(p);
            addresses.addAll(List.of(first, last, step(first, -1), step(last, 1), step(first, 1)));
            for (FlowSpecComponent c : nlri.components()) {
                List<Long> values = new ArrayList<>();
                switch (c) {
                    case FlowSpecComponent.Numeric n -> n.terms().forEach(x -> values.add(x.value()));
                    case FlowSpecComponent.Bitmask b -> b.terms().forEach(x -> values.add((long) x.value()));
                }
                for (long v : values) {
                    for (long d = -1; d <= 1; d++) {
                        int x = (int) (v + d);
                        switch (c.type()) {
                            case PROTOCOL -> protocols.add(x & 0xff);
                            case SOURCE_PORT, DESTINATION_PORT -> ports.add(x & 0xffff);
                            case PACKET_LENGTH -> lengths.add(Math.max(0, Math.min(65535, x)));
                            case DSCP -> dscps.add(x & 0x3f);
                            case TCP_FLAGS -> {
                                flags.add((int) v);
                                for (int bit = 0; bit < 8; bit++) {
                                    flags.add((int) v ^ (1 << bit));
                                }
                            }
                            case FRAGMENT -> {}
                        }
                    }
                }
            }
        }

        TestPacket next(boolean vlan, boolean extended) {
            boolean hopByHop = extended;
            IpAddress dst = pick(addresses, a -> nlri.destination().contains(a) ? 1 : 0);
            int protocol = pickInt(protocols, ComponentType.PROTOCOL);
            int sport = pickInt(ports, ComponentType.SOURCE_PORT);
            int dport = pickInt(ports, ComponentType.DESTINATION_PORT);
            int flagsValue = pickInt(flags, ComponentType.TCP_FLAGS);
            int length = pickInt(lengths, ComponentType.PACKET_LENGTH);
            int dscp = pickInt(dscps, ComponentType.DSCP);
            int tos = (dscp << 2) | random.nextInt(4);
            boolean df = random.nextBoolean();
            boolean mf = random.nextInt(3) == 0;
            int offset = random.nextInt(3) == 0 ? 8 * (1 + random.nextInt(100)) : 0;
            if (nlri.ipVersion() == 6) {
                // IPv6 has no DF; a fragment header is an extension header: only in the widening check.
                df = false;
                if (!hopByHop || random.nextBoolean()) {
                    mf = hopByHop && mf;
                    offset = hopByHop ? offset : 0;
                }
                hopByHop = hopByHop && random.nextBoolean();
                if (!hopByHop && !mf && offset == 0 && extended) {
                    mf = true;
                }
            }
            return new TestPacket(dst, protocol, sport, dport, flagsValue, length, tos, df, mf, offset, hopByHop, vlan);
        }

        private int pickInt(List<Integer> values, ComponentType type) {
            FlowSpecComponent c = nlri.component(type);
            return pick(values, v -> c == null || c.test(v) ? 1 : 0);
        }

        private <T> T pick(List<T> values, java.util.function.ToIntFunction<T> satisfies) {
            if (random.nextInt(4) != 0) {
                List<T> good = values.stream()
                        .filter(v -> satisfies.applyAsInt(v) == 1)
                        .toList();
                if (!good.isEmpty()) {
                    return good.get(random.nextInt(good.size()));
                }
            }
            return values.get(random.nextInt(values.size()));
        }

        static IpAddress last(Prefix p) {
            IpAddress n = p.network();
            if (n.version() == 4) {
                long hostBits = p.length() == 32 ? 0 : (0xffffffffL >>> p.length());
                return IpAddress.ipv4((int) (n.low() | hostBits));
            }
            long high = p.length() >= 64 ? n.high() : n.high() | (p.length() == 0 ? -1L : (-1L >>> p.length()));
            long low = p.length() >= 128 ? n.low() : n.low() | (p.length() <= 64 ? -1L : (-1L >>> (p.length() - 64)));
            return IpAddress.ipv6(high, low);
        }

        static IpAddress step(IpAddress a, int delta) {
            if (a.version() == 4) {
                return IpAddress.ipv4((int) ((a.low() + delta) & 0xffffffffL));
            }
            long low = a.low() + delta;
            long high = a.high();
            if (delta > 0 && Long.compareUnsigned(low, a.low()) < 0) {
                high++;
            } else if (delta < 0 && Long.compareUnsigned(low, a.low()) > 0) {
                high--;
            }
            return IpAddress.ipv6(high, low);
        }
    }

    static IntPredicate always() {
        return v -> true;
    }
}

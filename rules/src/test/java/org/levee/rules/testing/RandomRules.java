package org.levee.rules.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.StoredRule;
import org.levee.rules.UpstreamMode;

/** Random valid rules of every kind, from a seed. The filters all compile. */
public final class RandomRules {
    private RandomRules() {}

    private static final List<String> FILTERS = List.of(
            "udp and src port 11211",
            "tcp[tcpflags] & tcp-syn != 0",
            "icmp",
            "udp and src port 53 and greater 512",
            "ip6 and udp",
            "udp port 123",
            "ip[8] = 64");
    private static final List<String> CBPF = List.of("1,6 0 0 65535", "4,40 0 0 12,21 0 1 2048,6 0 0 65535,6 0 0 0");
    private static final List<String> DESCRIPTIONS = List.of(
            "ip and dst host 203.0.113.10 and udp src port 11211",
            "(ip and dst host 203.0.113.10) and dns question *.example.com (udp dst port 53)");
    private static final List<String> DNS = List.of("*.example.com", "example.org", "**.example.net");
    private static final List<String> PREFIXES =
            List.of("203.0.113.0/24", "198.51.100.7/32", "192.0.2.128/25", "2001:db8::/32", "2001:db8:1::/48");
    private static final List<String> COMMENTS =
            List.of("", "memcached reflection", "ticket #4711, ünïcödé", "quote \" and backslash \\");

    public static Rule rule(SplittableRandom random, String id) {
        Match match = switch (random.nextInt(3)) {
            case 0 -> new Match.Filter(pick(random, FILTERS));
            case 1 -> Match.Cbpf.parse(pick(random, CBPF));
            default -> new Match.Dns(some(random, DNS, 1), random.nextBoolean());
        };
        List<Prefix> destinations =
                some(random, PREFIXES, 0).stream().map(Prefix::parse).toList();
        List<String> datacenters = some(random, List.of("ams1", "fra1", "sin2"), 0);
        Action action = switch (random.nextInt(3)) {
            case 0 -> new Action.Drop();
            case 1 -> new Action.Pass();
            default -> new Action.RateLimit(random.nextLong(1, 1_000_000), random.nextLong(1, 1_000_000));
        };
        Optional<Instant> expires = random.nextBoolean()
                ? Optional.empty()
                : Optional.of(Instant.parse("2030-01-01T00:00:00Z").plusMillis(random.nextLong(0, 1L << 40)));
        Origin origin = random.nextBoolean() ? Origin.MANUAL : Origin.AUTO;
        String comment = pick(random, COMMENTS);
        // Drawn last, so the rules above stay those of the same seeds before these fields existed.
        if (match instanceof Match.Cbpf c && random.nextBoolean()) {
            match = new Match.Cbpf(c.program(), pick(random, DESCRIPTIONS));
        }
        Optional<UpstreamMode> upstream = switch (random.nextInt(4)) {
            case 0 -> Optional.of(UpstreamMode.FLOWSPEC);
            case 1 -> Optional.of(UpstreamMode.BLACKHOLE);
            default -> Optional.empty();
        };
        return new Rule(id, match, destinations, datacenters, action, expires, comment, origin, upstream);
    }

    public static List<Rule> rules(SplittableRandom random, int count) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rules.add(rule(random, "r" + i + "-" + Integer.toString(random.nextInt(1 << 20), 36)));
        }
        return rules;
    }

    /** Evidence with every field set, some of them null as the detector leaves them. */
    public static AttackEvidence evidence(SplittableRandom random) {
        boolean fingerprint = random.nextBoolean();
        return new AttackEvidence(
                "203.0.113." + random.nextInt(256) + "/32",
                pick(random, List.of("udp", "tcp_syn", "icmp", "fragment")),
                random.nextBoolean() ? "threshold" : "baseline",
                random.nextDouble() * 1e6,
                random.nextDouble() * 1e9,
                random.nextBoolean() ? 50_000L : null,
                random.nextBoolean() ? 1_000_000_000L : null,
                random.nextDouble() * 100,
                fingerprint ? "IPv4 UDP source_port=11211" : null,
                fingerprint ? random.nextDouble() : null,
                fingerprint ? random.nextDouble() / 100 : null,
                random.nextLong(1, 10_000),
                fingerprint ? List.of("destination_port=9000: spread") : List.of(),
                new TreeMap<>(Map.of("ams1", random.nextLong(1, 500), "fra1", random.nextLong(0, 50))),
                pick(random, COMMENTS));
    }

    /** A stored rule: an automatic one has evidence about as often as not, a manual one none. */
    public static StoredRule stored(SplittableRandom random, String id) {
        Rule rule = rule(random, id);
        Instant created =
                Instant.ofEpochSecond(1_800_000_000L + random.nextInt(1 << 24), random.nextInt(1_000_000_000));
        boolean evidence = rule.origin() == Origin.AUTO && random.nextInt(4) != 0;
        return new StoredRule(rule, created, evidence ? Optional.of(evidence(random)) : Optional.empty());
    }

    private static <T> T pick(SplittableRandom random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static <T> List<T> some(SplittableRandom random, List<T> list, int min) {
        List<T> out = new ArrayList<>();
        for (T t : list) {
            if (random.nextInt(3) == 0) {
                out.add(t);
            }
        }
        while (out.size() < min) {
            out.add(pick(random, list));
            out = new ArrayList<>(new java.util.LinkedHashSet<>(out));
        }
        return out;
    }
}

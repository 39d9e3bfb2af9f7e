package org.levee.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.levee.rules.IpAddress;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.UpstreamMode;

/**
 * The upstream policy: which rules go upstream and as what. A rule goes upstream when it opts in
 * (its own {@code upstream} field, else {@code upstream.rules.<id>} in the configuration), or
 * automatically, with the configured {@code automatic} modes, when its attack's bits per second
 * reach {@code share × link_bps}. Pure computation: the announcer does the BGP side.
 */
public final class Upstream {

    private final UpstreamConfig config;
    private final FlowSpecTranslator translator;

    public Upstream(UpstreamConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.translator = config.translator();
    }

    /** The mode {@code request} goes upstream with, if any. */
    public Optional<UpstreamMode> mode(UpstreamRequest request) {
        return decide(request).map(UpstreamDecision::mode);
    }

    /**
     * Whether {@code request}'s rule goes upstream, on what grounds and with which routes; empty
     * when it does not. The rule's own request wins, then {@code upstream.rules.<id>}, then the
     * attack's share of the link. An automatic rule takes the first mode of
     * {@code upstream.automatic} whose translation is not refused; a later mode (a blackhole
     * after FlowSpec) is used only because the configuration lists it, and its notes say why.
     */
    public Optional<UpstreamDecision> decide(UpstreamRequest request) {
        Rule rule = request.rule();
        if (request.optIn().isPresent()) {
            UpstreamMode m = request.optIn().get();
            return Optional.of(new UpstreamDecision(
                    rule.id(),
                    m,
                    UpstreamDecision.Basis.REQUESTED,
                    "the rule asks for " + m.keyword() + " (its upstream field)",
                    translate(m, rule)));
        }
        UpstreamMode configured = config.rules().get(rule.id());
        if (configured != null) {
            return Optional.of(new UpstreamDecision(
                    rule.id(),
                    configured,
                    UpstreamDecision.Basis.CONFIGURED,
                    "upstream.rules." + rule.id() + " is " + configured.keyword() + " in the configuration",
                    translate(configured, rule)));
        }
        if (config.automatic().isEmpty()
                || config.linkBitsPerSecond() <= 0
                || request.attackBitsPerSecond().isEmpty()) {
            return Optional.empty();
        }
        double attack = request.attackBitsPerSecond().getAsDouble();
        double limit = config.share() * config.linkBitsPerSecond();
        if (attack < limit) {
            return Optional.empty();
        }
        String why = "the attack's " + rate(attack) + " reached " + config.share() + " × "
                + rate(config.linkBitsPerSecond()) + " (upstream.share × upstream.link_bps)";
        List<String> refusals = new ArrayList<>();
        for (UpstreamMode m : config.automatic()) {
            Translation t = translate(m, rule);
            if (t instanceof Translation.Translated ok) {
                if (!refusals.isEmpty()) {
                    List<String> notes = new ArrayList<>(ok.notes());
                    notes.add(m.keyword() + " because upstream.automatic lists it after what was refused: "
                            + String.join("; ", refusals));
                    t = new Translation.Translated(ok.ruleId(), ok.routes(), notes);
                }
                return Optional.of(new UpstreamDecision(rule.id(), m, UpstreamDecision.Basis.AUTOMATIC, why, t));
            }
            refusals.add(((Translation.Refused) t).reason());
        }
        return Optional.of(new UpstreamDecision(
                rule.id(),
                config.automatic().getFirst(),
                UpstreamDecision.Basis.AUTOMATIC,
                why,
                new Translation.Refused(rule.id(), String.join("; ", refusals))));
    }

    /** The routes the live rules {@code requests} ask for. */
    public DesiredRoutes desired(List<UpstreamRequest> requests) {
        List<UpstreamDecision> decisions = new ArrayList<>();
        Map<String, Route> byKey = new LinkedHashMap<>();
        for (UpstreamRequest request : requests) {
            Optional<UpstreamDecision> decision = decide(request);
            if (decision.isEmpty()) {
                continue;
            }
            decisions.add(decision.get());
            if (decision.get().translation() instanceof Translation.Translated ok) {
                for (Route r : ok.routes()) {
                    String key = r.family() + " " + r.key();
                    Route old = byKey.get(key);
                    if (old == null
                            || (r instanceof Route.FlowSpec f
                                    && old instanceof Route.FlowSpec o
                                    && f.action().stricterThan(o.action()))) {
                        byKey.put(key, r);
                    }
                }
            }
        }
        return new DesiredRoutes(new LinkedHashSet<>(byKey.values()), decisions);
    }

    private Translation translate(UpstreamMode mode, Rule rule) {
        return mode == UpstreamMode.FLOWSPEC ? translator.translate(rule) : blackhole(rule);
    }

    /** A rate in bits per second as people write it: {@code 8.1 Gbit/s}. */
    static String rate(double bitsPerSecond) {
        String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
        int u = 0;
        double v = bitsPerSecond;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String number = new java.math.BigDecimal(v)
                .round(new java.math.MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
        return number + " " + units[u];
    }

    /** The blackhole routes of {@code rule}: one per destination host. */
    public Translation blackhole(Rule rule) {
        Set<Prefix> hosts = new LinkedHashSet<>();
        Prefix fromFilter = null;
        try {
            fromFilter = TcpdumpSubset.read(FlowSpecTranslator.expression(rule.match()))
                    .destination()
                    .orElse(null);
        } catch (Untranslatable e) {
            if (rule.destinations().isEmpty()) {
                return new Translation.Refused(
                        rule.id(),
                        "blackhole: the rule has no destinations and its match names no"
                                + " destination Levee can read (" + e.getMessage() + ")");
            }
        }
        List<Prefix> destinations;
        try {
            destinations = FlowSpecTranslator.destinations(fromFilter, rule.destinations(), 0);
        } catch (Untranslatable e) {
            return new Translation.Refused(rule.id(), "blackhole: " + e.getMessage());
        }
        List<Route> routes = new ArrayList<>();
        for (Prefix d : destinations) {
            if (!d.isHost()) {
                return new Translation.Refused(
                        rule.id(),
                        "blackhole: " + d + " is a network; RTBH drops everything to a host"
                                + " (/32 or /128), and Levee does not blackhole whole networks");
            }
            Optional<IpAddress> nextHop = d.network().version() == 4 ? config.nextHopIpv4() : config.nextHopIpv6();
            if (d.network().version() == 6 && nextHop.isEmpty()) {
                return new Translation.Refused(
                        rule.id(),
                        "blackhole: " + d + " is IPv6 and upstream.blackhole.next_hop_ipv6 is"
                                + " not set (an IPv6 route needs an IPv6 next hop)");
            }
            List<Route.Community> communities = new ArrayList<>(config.blackholeCommunities());
            communities.add(Route.Community.BLACKHOLE);
            if (hosts.add(d)) {
                routes.add(new Route.Blackhole(d, nextHop, communities));
            }
        }
        return new Translation.Translated(
                rule.id(),
                routes,
                List.of("blackhole: every packet to " + hosts + " is dropped upstream, not only the rule's match"));
    }
}

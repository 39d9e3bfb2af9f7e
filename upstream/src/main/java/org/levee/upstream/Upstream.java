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

/**
 * The upstream policy: which rules go upstream and as what. A rule goes upstream when it opts in
 * (its request's mode, else {@code upstream.rules.<id>} in the configuration), or automatically,
 * with the configured {@code automatic} mode, when its attack's bits per second reach
 * {@code share × link_bps}. Pure computation: the announcer does the BGP side.
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
        if (request.optIn().isPresent()) {
            return request.optIn();
        }
        UpstreamMode configured = config.rules().get(request.rule().id());
        if (configured != null) {
            return Optional.of(configured);
        }
        if (config.automatic().isPresent() && config.linkBitsPerSecond() > 0 && request.attackBitsPerSecond().isPresent()
                && request.attackBitsPerSecond().getAsDouble() >= config.share() * config.linkBitsPerSecond()) {
            return config.automatic();
        }
        return Optional.empty();
    }

    /** The routes the live rules {@code requests} ask for. */
    public DesiredRoutes desired(List<UpstreamRequest> requests) {
        List<Translation> translations = new ArrayList<>();
        Map<String, Route> byKey = new LinkedHashMap<>();
        for (UpstreamRequest request : requests) {
            Optional<UpstreamMode> mode = mode(request);
            if (mode.isEmpty()) {
                continue;
            }
            Translation t = mode.get() == UpstreamMode.FLOWSPEC ? translator.translate(request.rule()) : blackhole(request.rule());
            translations.add(t);
            if (t instanceof Translation.Translated ok) {
                for (Route r : ok.routes()) {
                    String key = r.family() + " " + r.key();
                    Route old = byKey.get(key);
                    if (old == null || (r instanceof Route.FlowSpec f && old instanceof Route.FlowSpec o
                            && f.action().stricterThan(o.action()))) {
                        byKey.put(key, r);
                    }
                }
            }
        }
        return new DesiredRoutes(new LinkedHashSet<>(byKey.values()), translations);
    }

    /** The blackhole routes of {@code rule}: one per destination host. */
    public Translation blackhole(Rule rule) {
        Set<Prefix> hosts = new LinkedHashSet<>();
        Prefix fromFilter = null;
        try {
            fromFilter = TcpdumpSubset.read(FlowSpecTranslator.expression(rule.match())).destination().orElse(null);
        } catch (Untranslatable e) {
            if (rule.destinations().isEmpty()) {
                return new Translation.Refused(rule.id(), "blackhole: the rule has no destinations and its match names no"
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
                return new Translation.Refused(rule.id(), "blackhole: " + d + " is a network; RTBH drops everything to a host"
                        + " (/32 or /128), and Levee does not blackhole whole networks");
            }
            Optional<IpAddress> nextHop = d.network().version() == 4 ? config.nextHopIpv4() : config.nextHopIpv6();
            if (d.network().version() == 6 && nextHop.isEmpty()) {
                return new Translation.Refused(rule.id(), "blackhole: " + d + " is IPv6 and upstream.blackhole.next_hop_ipv6 is"
                        + " not set (an IPv6 route needs an IPv6 next hop)");
            }
            List<Route.Community> communities = new ArrayList<>(config.blackholeCommunities());
            communities.add(Route.Community.BLACKHOLE);
            if (hosts.add(d)) {
                routes.add(new Route.Blackhole(d, nextHop, communities));
            }
        }
        return new Translation.Translated(rule.id(), routes,
                List.of("blackhole: every packet to " + hosts + " is dropped upstream, not only the rule's match"));
    }
}

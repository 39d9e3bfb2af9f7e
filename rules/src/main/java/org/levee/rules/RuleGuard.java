package org.levee.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.levee.cbpf.CbpfInterpreter;

/**
 * Refuses rules that would cut off the operator or everyone, before they reach a data plane.
 * Two checks, on the filters the data plane runs (the match and, when the rule names
 * destinations, its destination filter: a packet is matched when both accept it):
 *
 * <ol>
 *   <li><b>Protected endpoints.</b> The rule's filters run on probe packets to each endpoint
 *       (TCP SYN and ACK, or UDP, from eight sources in unrelated networks, three source ports,
 *       three arrival TTLs, to the endpoint's address or, for a network or any address, to the
 *       addresses the rule names in it). A rule that matches probes from at least
 *       {@value #CUT_OFF_SOURCES} different sources matches traffic to the endpoint whoever sends
 *       it: refused. A rule that matches only one source's packets (a spoofed source, an
 *       attacker's network) leaves everyone else a way in and passes.</li>
 *   <li><b>Legitimate traffic.</b> Of the samples the detector saw in the last minute and did not
 *       attribute to an attack, those to destinations outside the rule's own (its destinations,
 *       and for the detector's rules the attacked destination) are the traffic the rule must not
 *       hurt. A rule matching more than the configured share of them (weighted by the packets
 *       each sample stands for), with at least {@value #MIN_MATCHED_SAMPLES} samples matched so
 *       that one sample in a quiet minute is not a share, is refused.</li>
 * </ol>
 *
 * <p>A pass rule never cuts anything off and is always allowed. Pure computation, thread-safe.
 */
public final class RuleGuard {

    /** A rule matching probes from this many sources matches traffic to the endpoint from anyone. */
    public static final int CUT_OFF_SOURCES = 2;
    /** Fewer matched samples than this never make a share worth refusing. */
    public static final int MIN_MATCHED_SAMPLES = 3;

    /** Which check refused a rule. */
    public enum Check {
        PROTECTED_ENDPOINT,
        LEGITIMATE_SHARE;

        /** {@code protected_endpoint}, {@code legitimate_share}: the metrics' label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Why a rule is refused.
     *
     * @param check  which check refused it
     * @param reason the guard's words, naming the endpoint or giving the share
     */
    public record Refusal(Check check, String reason) {}

    private final List<ProtectedEndpoint> endpoints;
    private final double maxLegitimateShare;

    /**
     * @param endpoints          the protected endpoints
     * @param maxLegitimateShare the largest share (0..1) of legitimate traffic a rule may match
     */
    public RuleGuard(List<ProtectedEndpoint> endpoints, double maxLegitimateShare) {
        this.endpoints = List.copyOf(endpoints);
        if (!(maxLegitimateShare >= 0 && maxLegitimateShare <= 1)) {
            throw new IllegalArgumentException(
                    "the largest legitimate share must be in 0..1, not " + maxLegitimateShare);
        }
        this.maxLegitimateShare = maxLegitimateShare;
    }

    /** The guard {@code settings} describe, over the node's {@code defaults} endpoints. */
    public static RuleGuard of(GuardSettings settings, List<ProtectedEndpoint> defaults) {
        return new RuleGuard(settings.endpoints(defaults), settings.maxLegitimateShare());
    }

    /** A guard that allows everything (no endpoints, a share of 100 %). */
    public static RuleGuard allowAll() {
        return new RuleGuard(List.of(), 1);
    }

    public List<ProtectedEndpoint> endpoints() {
        return endpoints;
    }

    public double maxLegitimateShare() {
        return maxLegitimateShare;
    }

    /**
     * Why {@code filter}'s rule must not be added, or empty when it may.
     *
     * @param filter  the rule with its compiled filters ({@link RuleFilters#compile(Rule)})
     * @param targets destinations the rule is meant for beyond its own {@code destinations}
     *                (the detector's attacked host or aggregate), exempt from the share check
     * @param traffic the legitimate traffic of the last minute
     */
    public Optional<Refusal> check(RuleFilter filter, List<Prefix> targets, LegitimateTraffic traffic) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(traffic, "traffic");
        if (filter.rule().action() instanceof Action.Pass) {
            return Optional.empty();
        }
        for (ProtectedEndpoint endpoint : endpoints) {
            Optional<Refusal> r = checkEndpoint(filter, targets, endpoint);
            if (r.isPresent()) {
                return r;
            }
        }
        return checkShare(filter, targets, traffic);
    }

    /**
     * {@link #check}, as an exception.
     *
     * @param advice appended to the reason ({@code "; add it with force to override"})
     * @throws RuleRefusedException naming the rule, with the reason
     */
    public void requireAllowed(RuleFilter filter, List<Prefix> targets, LegitimateTraffic traffic, String advice) {
        Optional<Refusal> refusal = check(filter, targets, traffic);
        if (refusal.isPresent()) {
            throw new RuleRefusedException(filter.rule().id(), refusal.get(), advice);
        }
    }

    private Optional<Refusal> checkEndpoint(RuleFilter filter, List<Prefix> targets, ProtectedEndpoint endpoint) {
        List<IpAddress> destinations = GuardProbes.destinations(endpoint, filter, targets);
        Set<IpAddress> sources = new LinkedHashSet<>();
        String example = null;
        int matched = 0;
        List<GuardProbes.Probe> probes = GuardProbes.probes(endpoint, destinations);
        for (GuardProbes.Probe probe : probes) {
            if (matches(filter, probe.frame(), probe.frame().length)) {
                matched++;
                sources.add(probe.source());
                if (example == null) {
                    example = probe.description();
                }
            }
        }
        if (sources.size() < CUT_OFF_SOURCES) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(
                Check.PROTECTED_ENDPOINT,
                String.format(
                        Locale.ROOT,
                        "refused: it matches traffic to the protected endpoint %s: %d of %d probe packets from %d of %d"
                                + " sources, e.g. %s",
                        endpoint,
                        matched,
                        probes.size(),
                        sources.size(),
                        probes.stream()
                                .map(GuardProbes.Probe::source)
                                .distinct()
                                .count(),
                        example)));
    }

    private Optional<Refusal> checkShare(RuleFilter filter, List<Prefix> targets, LegitimateTraffic traffic) {
        if (maxLegitimateShare >= 1) {
            return Optional.empty(); // no rule can match more than all of it
        }
        List<Prefix> own = new ArrayList<>(filter.rule().destinations());
        own.addAll(targets);
        double outside = 0;
        double matchedPackets = 0;
        int outsideSamples = 0;
        int matchedSamples = 0;
        Optional<IpAddress> example = Optional.empty();
        for (LegitimateTraffic.Weighted w : traffic.samples()) {
            Optional<IpAddress> destination =
                    PacketHeaders.destination(w.sample().packet());
            if (destination.isPresent() && own.stream().anyMatch(p -> p.contains(destination.get()))) {
                continue;
            }
            outside += w.packets();
            outsideSamples++;
            if (matches(filter, w.sample().packet(), w.sample().wireLength())) {
                matchedPackets += w.packets();
                matchedSamples++;
                if (example.isEmpty()) {
                    example = destination;
                }
            }
        }
        if (outside == 0 || matchedSamples < MIN_MATCHED_SAMPLES) {
            return Optional.empty();
        }
        double share = matchedPackets / outside;
        if (share <= maxLegitimateShare) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(
                Check.LEGITIMATE_SHARE,
                String.format(
                        Locale.ROOT,
                        "refused: it matches %.2f %% of the legitimate traffic the detector saw in the last %d s outside"
                                + " the rule's destinations (%d of %d samples, about %.0f of %.0f packets%s); the limit is %.2f %%",
                        100 * share,
                        traffic.span().toSeconds(),
                        matchedSamples,
                        outsideSamples,
                        matchedPackets,
                        outside,
                        example.map(a -> ", e.g. to " + a).orElse(""),
                        100 * maxLegitimateShare)));
    }

    /** As the data plane decides: the match accepts the packet, and so does the destination filter if any. */
    private static boolean matches(RuleFilter filter, byte[] packet, int wireLength) {
        return CbpfInterpreter.matches(filter.match(), packet, wireLength)
                && filter.destination()
                        .map(d -> CbpfInterpreter.matches(d, packet, wireLength))
                        .orElse(true);
    }
}

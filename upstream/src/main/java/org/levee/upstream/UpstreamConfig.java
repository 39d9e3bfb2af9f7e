package org.levee.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.levee.rules.IpAddress;
import org.levee.rules.UpstreamMode;

/**
 * The {@code upstream:} section of levee.yaml; docs/operations.md documents every key.
 *
 * @param speaker              the BGP speaker Levee drives
 * @param neighbours           the upstream routers the speaker peers with
 * @param linkBitsPerSecond    the capacity of the link to protect (0: no automatic upstream action)
 * @param share                the share of the link above which an attack goes upstream automatically
 * @param automatic            what to announce for such an attack, in order of preference: the
 *                             first mode whose translation of the rule is not refused (empty:
 *                             nothing; {@code [flowspec, blackhole]} blackholes when FlowSpec
 *                             cannot express the rule)
 * @param ratelimitPacketBytes packet size turning a ratelimit rule's pps into bytes/s when its
 *                             match does not fix the length (empty: such rules are refused)
 * @param ipv6UpperLayerWidening translate IPv6 protocol conditions although FlowSpec also matches
 *                             the protocol behind extension headers
 * @param nextHopIpv4          the next hop of IPv4 blackhole routes (empty: the speaker's address)
 * @param nextHopIpv6          the next hop of IPv6 blackhole routes (empty: IPv6 blackholing refused)
 * @param blackholeCommunities communities of blackhole routes besides BLACKHOLE (default NO_EXPORT)
 * @param rules                per-rule opt-in: rule id → mode
 * @param syncInterval         how often the announcer compares the speaker's routes with the desired ones
 */
public record UpstreamConfig(
        Speaker speaker,
        List<Neighbour> neighbours,
        long linkBitsPerSecond,
        double share,
        List<UpstreamMode> automatic,
        OptionalLong ratelimitPacketBytes,
        boolean ipv6UpperLayerWidening,
        Optional<IpAddress> nextHopIpv4,
        Optional<IpAddress> nextHopIpv6,
        List<Route.Community> blackholeCommunities,
        Map<String, UpstreamMode> rules,
        Duration syncInterval) {

    public static final double DEFAULT_SHARE = 0.8;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(10);

    public UpstreamConfig {
        Objects.requireNonNull(speaker, "speaker");
        neighbours = List.copyOf(neighbours);
        automatic = List.copyOf(automatic);
        if (automatic.stream().distinct().count() != automatic.size()) {
            throw new IllegalArgumentException("upstream.automatic lists a mode twice: " + automatic);
        }
        Objects.requireNonNull(ratelimitPacketBytes, "ratelimitPacketBytes");
        Objects.requireNonNull(nextHopIpv4, "nextHopIpv4");
        Objects.requireNonNull(nextHopIpv6, "nextHopIpv6");
        blackholeCommunities = List.copyOf(blackholeCommunities);
        rules = Map.copyOf(rules);
        Objects.requireNonNull(syncInterval, "syncInterval");
    }

    /**
     * The speaker: GoBGP's {@code gobgpd}, reached through its command line client.
     *
     * @param api      gobgpd's gRPC API: {@code unix:///run/gobgpd.sock} or {@code host:port}
     * @param command  the client and any arguments before Levee's ({@code [gobgp]})
     * @param as       the speaker's AS number
     * @param routerId the speaker's BGP identifier
     */
    public record Speaker(String api, List<String> command, long as, IpAddress routerId) {
        public Speaker {
            Objects.requireNonNull(api, "api");
            command = List.copyOf(command);
            Objects.requireNonNull(routerId, "routerId");
        }
    }

    /**
     * An upstream router.
     *
     * @param address its address
     * @param as      our AS on this session (the speaker's)
     * @param peerAs  its AS
     */
    public record Neighbour(IpAddress address, long as, long peerAs) {
        public Neighbour {
            Objects.requireNonNull(address, "address");
        }
    }

    /** The translator these settings ask for. */
    public FlowSpecTranslator translator() {
        return new FlowSpecTranslator(ratelimitPacketBytes, ipv6UpperLayerWidening);
    }
}

package org.levee.upstream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.levee.rules.IpAddress;
import org.levee.rules.Prefix;

/**
 * A route Levee announces to its upstream routers. Two routes are the same announcement when they
 * are equal: the announcer compares the speaker's routes with the desired ones by value.
 */
public sealed interface Route {

    /** The BGP address family: {@code ipv4-flowspec}, {@code ipv6-flowspec}, {@code ipv4-unicast}, {@code ipv6-unicast}. */
    String family();

    /** The NLRI alone, as text: what identifies the route in the speaker's table (one path per NLRI). */
    String key();

    /** A FlowSpec route: a match and what routers do with the packets. */
    record FlowSpec(FlowSpecNlri nlri, FlowSpecAction action) implements Route {
        public FlowSpec {
            Objects.requireNonNull(nlri, "nlri");
            Objects.requireNonNull(action, "action");
        }

        @Override
        public String family() {
            return nlri.ipVersion() == 4 ? "ipv4-flowspec" : "ipv6-flowspec";
        }

        @Override
        public String key() {
            return nlri.toString();
        }

        @Override
        public String toString() {
            return family() + " " + nlri + " then " + action;
        }
    }

    /**
     * A remotely triggered blackhole (RFC 7999): one host, the BLACKHOLE community 65535:666 and
     * any other {@code communities} (NO_EXPORT by default), with {@code nextHop} or, when empty,
     * the speaker's own address.
     */
    record Blackhole(Prefix host, Optional<IpAddress> nextHop, List<Community> communities) implements Route {
        public Blackhole {
            Objects.requireNonNull(host, "host");
            if (!host.isHost()) {
                throw new IllegalArgumentException("a blackhole route is for one host (/32 or /128), not " + host);
            }
            Objects.requireNonNull(nextHop, "nextHop");
            nextHop.ifPresent(n -> {
                if (n.version() != host.network().version()) {
                    throw new IllegalArgumentException("next hop " + n + " is not of the IP version of " + host);
                }
            });
            communities = communities.stream().distinct().sorted().toList();
            if (!communities.contains(Community.BLACKHOLE)) {
                throw new IllegalArgumentException(
                        "a blackhole route carries the BLACKHOLE community " + Community.BLACKHOLE);
            }
        }

        @Override
        public String family() {
            return host.network().version() == 4 ? "ipv4-unicast" : "ipv6-unicast";
        }

        @Override
        public String key() {
            return host.toString();
        }

        @Override
        public String toString() {
            return family() + " " + host + " next-hop "
                    + nextHop.map(Object::toString).orElse("self") + " communities " + communities;
        }
    }

    /** A standard BGP community (RFC 1997), {@code asn:value}. */
    record Community(int asn, int value) implements Comparable<Community> {
        /** BLACKHOLE, RFC 7999. */
        public static final Community BLACKHOLE = new Community(65535, 666);
        /** NO_EXPORT, RFC 1997. */
        public static final Community NO_EXPORT = new Community(65535, 65281);
        /** NO_ADVERTISE, RFC 1997. */
        public static final Community NO_ADVERTISE = new Community(65535, 65282);

        public Community {
            if (asn < 0 || asn > 65535 || value < 0 || value > 65535) {
                throw new IllegalArgumentException("community " + asn + ":" + value + " has a part outside 0..65535");
            }
        }

        /** The 32-bit value on the wire. */
        public long wire() {
            return ((long) asn << 16) | value;
        }

        public static Community ofWire(long wire) {
            return new Community((int) (wire >>> 16) & 0xffff, (int) wire & 0xffff);
        }

        /** Parses {@code 65535:666}, or the names {@code blackhole}, {@code no-export}, {@code no-advertise}. */
        public static Community parse(String text) {
            switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "blackhole" -> {
                    return BLACKHOLE;
                }
                case "no-export", "no_export" -> {
                    return NO_EXPORT;
                }
                case "no-advertise", "no_advertise" -> {
                    return NO_ADVERTISE;
                }
                default -> {}
            }
            String[] parts = text.strip().split(":", -1);
            if (parts.length != 2 || !parts[0].matches("[0-9]{1,5}") || !parts[1].matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("'" + text + "' is not a community (ASN:VALUE, each 0..65535)");
            }
            return new Community(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        @Override
        public int compareTo(Community o) {
            return Long.compare(wire(), o.wire());
        }

        @Override
        public String toString() {
            return asn + ":" + value;
        }
    }
}

package org.levee.detector.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.levee.detector.fingerprint.Field;
import org.levee.detector.fingerprint.Fingerprint;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.TcpOptionsLayout;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Prefix;

/**
 * Writes a fingerprint (except its DNS fields) as a tcpdump expression for Ethernet frames.
 *
 * <p>IPv4 uses libpcap's transport accessors ({@code tcp[13]}, {@code udp[8:4]}), which find
 * the transport header behind any IP options and never match later fragments. libpcap's
 * accessors are IPv4-only, so IPv6 uses {@code ip6[40 + offset]} with the next header tested
 * directly: a transport header behind extension headers does not match, consistently with the
 * sample decoder, which offers no transport fields for such packets. The whole expression is
 * repeated behind {@code vlan} so that single-tagged frames match too.
 */
public final class TcpdumpExpressions {

    private TcpdumpExpressions() {}

    /** The expression for packets to {@code destination} with the fingerprint's non-DNS fields. */
    public static String of(Prefix destination, Fingerprint fingerprint) {
        if (destination.network().version() != fingerprint.ipVersion()) {
            throw new IllegalArgumentException(
                    "destination " + destination + " is not IPv" + fingerprint.ipVersion() + " like the fingerprint");
        }
        String untagged = untagged(destination, fingerprint);
        return "(" + untagged + ") or (vlan and " + untagged + ")";
    }

    private static String untagged(Prefix destination, Fingerprint fp) {
        boolean v4 = fp.ipVersion() == 4;
        List<String> terms = new ArrayList<>();
        terms.add(v4 ? "ip" : "ip6");
        terms.add((destination.isHost() ? "dst host " : "dst net ")
                + (destination.isHost() ? destination.network().toString() : destination.toString()));
        int protocol = fp.transportProtocol();
        for (Field field : fp.values().keySet()) {
            if (field.isTransport() && protocol != DecodedPacket.TCP && protocol != DecodedPacket.UDP) {
                throw new IllegalArgumentException("fingerprint field " + field
                        + " needs TCP or UDP, but the fingerprint fixes protocol " + protocol);
            }
        }
        if (protocol >= 0) {
            // An IPv6 fragment's protocol is in its fragment header, the first extension header.
            terms.add(
                    v4
                            ? "ip proto " + protocol
                            : fp.trafficClass() == TrafficClass.FRAGMENT
                                    ? "ip6[40] == " + protocol
                                    : "ip6[6] == " + protocol);
        }
        String classTerm = classTerm(fp.trafficClass(), v4);
        if (classTerm != null) {
            terms.add(classTerm);
        }
        String tcp = v4 ? "tcp[" : "ip6[40 + ";
        String udp = v4 ? "udp[" : "ip6[40 + ";
        for (Map.Entry<Field, Object> e : fp.values().entrySet()) {
            Object value = e.getValue();
            switch (e.getKey()) {
                case PROTOCOL -> {} // written above
                case SOURCE_PORT -> terms.add(v4 ? "src port " + value : "ip6[40:2] == " + value);
                case DESTINATION_PORT -> terms.add(v4 ? "dst port " + value : "ip6[42:2] == " + value);
                case TCP_FLAGS -> terms.add(tcp + "13] == " + hex((Integer) value));
                case TTL -> terms.add((v4 ? "ip[8] == " : "ip6[7] == ") + value);
                case IP_LENGTH -> terms.add(v4 ? "ip[2:2] == " + value : "ip6[4:2] == " + ((Integer) value - 40));
                case IP_ID -> terms.add("ip[4:2] == " + value);
                case DONT_FRAGMENT -> terms.add("ip[6] & 0x40 " + ((Integer) value == 1 ? "!= 0" : "== 0"));
                case TCP_WINDOW -> terms.add(tcp + "14:2] == " + value);
                case TCP_OPTIONS -> terms.add(options((TcpOptionsLayout) value, tcp));
                case PAYLOAD_PREFIX ->
                    terms.add(
                            protocol == DecodedPacket.UDP
                                    ? udp + "8:4] == " + hex((Long) value)
                                    : v4
                                            ? "tcp[((tcp[12] & 0xf0) >> 2):4] == " + hex((Long) value)
                                            : "ip6[(40 + ((ip6[52] & 0xf0) >> 2)):4] == " + hex((Long) value));
                case DNS_NAME, DNS_PARENT -> {} // the DNS name filter adds these
            }
        }
        return String.join(" and ", terms);
    }

    private static String classTerm(TrafficClass trafficClass, boolean v4) {
        return switch (trafficClass) {
            case ALL -> null;
            case TCP_SYN -> (v4 ? "tcp[13]" : "ip6[53]") + " & 0x12 == 0x02";
            case TCP_OTHER -> (v4 ? "tcp[13]" : "ip6[53]") + " & 0x12 != 0x02";
            // The protocol term says UDP; later IPv4 fragments are in FRAGMENT, not here.
            case UDP -> v4 ? "ip[6:2] & 0x1fff == 0" : null;
            case ICMP -> v4 ? "ip proto 1 and ip[6:2] & 0x1fff == 0" : "ip6[6] == 58";
            case FRAGMENT -> v4 ? "ip[6:2] & 0x1fff != 0" : "ip6[6] == 44 and ip6[42:2] & 0xfff8 != 0";
            case OTHER ->
                v4
                        ? "not ip proto 1 and not ip proto 6 and not ip proto 17 and ip[6:2] & 0x1fff == 0"
                        : "not ip6[6] == 58 and not ip6[6] == 6 and not ip6[6] == 17 and not ip6[6] == 44";
        };
    }

    private static String options(TcpOptionsLayout layout, String tcp) {
        List<String> terms = new ArrayList<>();
        terms.add(tcp + "12] & 0xf0 == " + hex((layout.headerLength() / 4) << 4));
        for (TcpOptionsLayout.TcpOption option : layout.options()) {
            terms.add(tcp + option.offset() + "] == " + option.kind());
            if (option.kind() > 1) {
                terms.add(tcp + (option.offset() + 1) + "] == " + option.length());
            }
        }
        return String.join(" and ", terms);
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}

package org.levee.detector.sample;

import java.util.ArrayList;
import java.util.List;
import org.levee.rules.IpAddress;

/**
 * The header fields of one sampled packet. Integer fields a packet does not have (ports of ICMP,
 * the IP ID of IPv6, anything past the captured prefix) are {@link #ABSENT}. The TCP options
 * layout and the DNS question name are derived on demand from the packet bytes, because only
 * fingerprinting needs them and they cost allocations.
 *
 * @param packet the sample's bytes (shared, not copied)
 * @param wireLength the packet's length on the wire
 * @param ipVersion 4 or 6
 * @param source source address
 * @param destination destination address
 * @param protocol IPv4 protocol or the IPv6 next header after any extension headers
 * @param trafficClass the class it counts in besides {@link TrafficClass#ALL}
 * @param ttl IPv4 TTL or IPv6 hop limit
 * @param ipLength IPv4 total length, or IPv6 payload length + 40
 * @param ipId IPv4 identification, absent for IPv6
 * @param dontFragment 1 when IPv4 DF is set, 0 when clear, absent for IPv6
 * @param sourcePort UDP/TCP source port
 * @param destinationPort UDP/TCP destination port
 * @param tcpFlags the TCP flags byte (CWR..FIN)
 * @param tcpWindow the TCP window field
 * @param payloadPrefix the first 4 bytes of the transport payload as an unsigned big-endian int
 * @param transportOffset where the UDP/TCP header starts in {@code packet}, or absent (also
 *     for IPv6 with extension headers and for later fragments: their transport fields are not
 *     where a filter would look for them)
 */
public record DecodedPacket(
        byte[] packet,
        int wireLength,
        int ipVersion,
        IpAddress source,
        IpAddress destination,
        int protocol,
        TrafficClass trafficClass,
        int ttl,
        int ipLength,
        int ipId,
        int dontFragment,
        int sourcePort,
        int destinationPort,
        int tcpFlags,
        int tcpWindow,
        long payloadPrefix,
        int transportOffset) {

    /** The value of a field the packet does not have. */
    public static final int ABSENT = -1;

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    /** The TCP options layout, or null when this is not TCP or the options are malformed. */
    public TcpOptionsLayout tcpOptionsLayout() {
        if (protocol != TCP || transportOffset < 0 || transportOffset + 13 > packet.length) {
            return null;
        }
        int headerLength = (packet[transportOffset + 12] & 0xf0) >>> 2;
        if (headerLength < 20 || transportOffset + headerLength > packet.length) {
            return null;
        }
        List<TcpOptionsLayout.TcpOption> options = new ArrayList<>();
        int at = 20;
        while (at < headerLength) {
            int kind = packet[transportOffset + at] & 0xff;
            if (kind == 0 || kind == 1) {
                options.add(new TcpOptionsLayout.TcpOption(kind, 1, at));
                at++;
                if (kind == 0) {
                    break;
                }
                continue;
            }
            if (at + 1 >= headerLength) {
                return null;
            }
            int length = packet[transportOffset + at + 1] & 0xff;
            if (length < 2 || at + length > headerLength) {
                return null;
            }
            options.add(new TcpOptionsLayout.TcpOption(kind, length, at));
            at += length;
        }
        return new TcpOptionsLayout(headerLength, options);
    }

    /**
     * The first question name of a DNS message to or from port 53, lower case, without the
     * trailing dot, in presentation format: a byte that is not printable ASCII, or is a dot or a
     * backslash inside a label, is written {@code \DDD} (decimal), so labels never contain a
     * literal dot. Null when there is no question, the name is compressed (a pointer), or it is
     * not entirely captured.
     */
    public String dnsQuestionName() {
        if (protocol != UDP || transportOffset < 0 || (destinationPort != 53 && sourcePort != 53)) {
            return null;
        }
        int dns = transportOffset + 8;
        if (dns + 12 > packet.length || (((packet[dns + 4] & 0xff) << 8) | (packet[dns + 5] & 0xff)) == 0) {
            return null;
        }
        StringBuilder name = new StringBuilder();
        int at = dns + 12;
        while (true) {
            if (at >= packet.length) {
                return null;
            }
            int length = packet[at] & 0xff;
            if (length == 0) {
                break;
            }
            if (length > 63 || at + 1 + length > packet.length) {
                return null; // compression pointer, reserved label type, or cut short
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            for (int i = 1; i <= length; i++) {
                int c = packet[at + i] & 0xff;
                if (c == '.' || c == '\\' || c < 0x21 || c > 0x7e) {
                    name.append('\\')
                            .append((char) ('0' + c / 100))
                            .append((char) ('0' + c / 10 % 10))
                            .append((char) ('0' + c % 10));
                } else {
                    name.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
                }
            }
            at += 1 + length;
        }
        return name.isEmpty() ? null : name.toString();
    }

    /** The name without its first label ("b.example" for "a.b.example"), or null. */
    public static String parentDomain(String name) {
        if (name == null) {
            return null;
        }
        int dot = name.indexOf('.');
        return dot < 0 ? null : name.substring(dot + 1);
    }
}

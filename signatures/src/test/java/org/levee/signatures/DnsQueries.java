package org.levee.signatures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.levee.signatures.Frames.Ipv4;
import org.levee.signatures.Frames.Ipv6;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** DNS queries built by dnsjava, wrapped in UDP, IP and Ethernet as a test needs them. */
final class DnsQueries {
    private DnsQueries() {}

    /** A name from its labels (any bytes), through dnsjava's \DDD escapes. */
    static Name name(List<byte[]> labels) {
        StringBuilder text = new StringBuilder();
        for (byte[] label : labels) {
            for (byte b : label) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                    text.append((char) c);
                } else {
                    text.append(String.format("\\%03d", c));
                }
            }
            text.append('.');
        }
        if (labels.isEmpty()) {
            text.append('.');
        }
        try {
            return Name.fromString(text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The DNS message of an A query for {@code name}. */
    static byte[] query(Name name) {
        return Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)).toWire();
    }

    /** The same query with QR set, as a response would have it. */
    static byte[] response(Name name) {
        Message message = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        message.getHeader().setFlag(Flags.QR);
        return message.toWire();
    }

    static byte[] overIpv4(byte[] dns) {
        return Frames.ethernet(PacketHeaders.ETHERTYPE_IPV4, Ipv4.of(17).packet(Frames.udp(33333, 53, dns)));
    }

    static byte[] overIpv6(byte[] dns) {
        return Frames.ethernet(PacketHeaders.ETHERTYPE_IPV6, Ipv6.of(17).packet(Frames.udp(33333, 53, dns)));
    }
}

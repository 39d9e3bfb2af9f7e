package org.levee.upstream;

import java.util.Optional;
import org.levee.rules.Prefix;

/**
 * What a rule's filter says about a packet, field by field, in FlowSpec's terms: the result of
 * reading a filter in {@link TcpdumpSubset}. Every field is a set of allowed values; a field
 * nothing is said about allows every value.
 *
 * @param ipVersion        4, 6, or 0 when the filter does not say (the destination then decides)
 * @param destination      the destination network the filter requires, if any
 * @param protocol         IPv4 protocol or IPv6 upper-layer protocol
 * @param ipv6FixedNextHeader the values the IPv6 header's own next-header field may have (set by
 *                         {@code ip6[6]} terms; raw {@code ip6[40…]} loads are transport fields only under it)
 * @param sourcePort       TCP/UDP source port
 * @param destinationPort  TCP/UDP destination port
 * @param lengthField      the IP header's length field: IPv4 total length, IPv6 payload length
 * @param dscp             the 6-bit DSCP
 * @param tcpFlags         the TCP flags byte
 * @param fragment         FlowSpec's fragment flags (DF, IsF, FF, LF) of the packet
 * @param transport        true when a term reads the transport header (ports, flags): FlowSpec
 *                         then needs the protocol to be TCP or UDP
 * @param rawIpv6Transport true when a term reads the IPv6 transport header at a fixed offset
 * @param vlanRepeated     true when the filter was {@code (X) or (vlan and X)}
 */
public record PacketConditions(
        int ipVersion,
        Optional<Prefix> destination,
        ValueSet protocol,
        ValueSet ipv6FixedNextHeader,
        ValueSet sourcePort,
        ValueSet destinationPort,
        ValueSet lengthField,
        ValueSet dscp,
        BitPatternSet tcpFlags,
        BitPatternSet fragment,
        boolean transport,
        boolean rawIpv6Transport,
        boolean vlanRepeated) {

    /** Conditions that allow every packet. */
    public static PacketConditions any() {
        return new PacketConditions(
                0,
                Optional.empty(),
                ValueSet.all(255),
                ValueSet.all(255),
                ValueSet.all(65535),
                ValueSet.all(65535),
                ValueSet.all(65535),
                ValueSet.all(63),
                BitPatternSet.all(8),
                BitPatternSet.all(4),
                false,
                false,
                false);
    }
}

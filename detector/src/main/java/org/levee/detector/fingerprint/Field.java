package org.levee.detector.fingerprint;

import static org.levee.detector.sample.DecodedPacket.ABSENT;

import org.levee.detector.sample.DecodedPacket;

/**
 * A header field a fingerprint can key on. Values are Integers, Longs, Strings or a
 * {@link org.levee.detector.sample.TcpOptionsLayout}; null when the packet has no such field.
 * The declaration order is the order fields appear in rules and explanations.
 */
public enum Field {
    PROTOCOL(false),
    SOURCE_PORT(true),
    DESTINATION_PORT(true),
    TCP_FLAGS(true),
    TTL(false),
    IP_LENGTH(false),
    IP_ID(false),
    DONT_FRAGMENT(false),
    TCP_WINDOW(true),
    TCP_OPTIONS(true),
    PAYLOAD_PREFIX(true),
    DNS_NAME(true),
    DNS_PARENT(true);

    private final boolean transport;

    Field(boolean transport) {
        this.transport = transport;
    }

    /** True for fields inside the transport header or payload: a rule must fix the protocol. */
    public boolean isTransport() {
        return transport;
    }

    /** True for the DNS question fields, which a rule also needs port 53 for. */
    public boolean isDns() {
        return this == DNS_NAME || this == DNS_PARENT;
    }

    /** This field's value in {@code p}, or null when it has none. */
    public Object valueOf(DecodedPacket p) {
        return switch (this) {
            case PROTOCOL -> box(p.protocol());
            case SOURCE_PORT -> box(p.sourcePort());
            case DESTINATION_PORT -> box(p.destinationPort());
            case TCP_FLAGS -> box(p.tcpFlags());
            case TTL -> box(p.ttl());
            case IP_LENGTH -> box(p.ipLength());
            case IP_ID -> box(p.ipId());
            case DONT_FRAGMENT -> box(p.dontFragment());
            case TCP_WINDOW -> box(p.tcpWindow());
            case TCP_OPTIONS -> p.tcpOptionsLayout();
            case PAYLOAD_PREFIX -> p.payloadPrefix() == ABSENT ? null : (Object) p.payloadPrefix();
            case DNS_NAME -> p.dnsQuestionName();
            case DNS_PARENT -> DecodedPacket.parentDomain(p.dnsQuestionName());
        };
    }

    private static Integer box(int value) {
        return value == ABSENT ? null : value;
    }

    /** A value as shown in explanations. */
    public String format(Object value) {
        return switch (this) {
            case TCP_FLAGS -> String.format("0x%02x", (Integer) value);
            case PAYLOAD_PREFIX -> String.format("0x%08x", (Long) value);
            default -> String.valueOf(value);
        };
    }
}

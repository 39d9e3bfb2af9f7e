package org.levee.signatures;

/**
 * The quirks of p0f v3 TCP signatures (p0f's README, section 5), plus bpftools' {@code linux}.
 * A signature matches a packet when the packet shows exactly the quirks the signature lists,
 * except {@code linux}, which p0f does not know: it is required when listed and otherwise
 * ignored, so p0f's own signatures keep their meaning.
 */
public enum P0fQuirk {
    /** IPv4 "don't fragment" set. */
    DF("df"),
    /** IPv4 DF set and IP ID non-zero. */
    NONZERO_ID("id+"),
    /** IPv4 DF clear and IP ID zero. */
    ZERO_ID("id-"),
    /** ECN: IP ECN bits, TCP ECE or CWR, or the TCP NS bit. */
    ECN("ecn"),
    /** IPv4 "must be zero" flag set. */
    MUST_BE_ZERO("0+"),
    /** IPv6 flow label non-zero. */
    FLOW("flow"),
    /** TCP sequence number zero. */
    ZERO_SEQ("seq-"),
    /** TCP acknowledgment number non-zero without the ACK flag. */
    NONZERO_ACK("ack+"),
    /** TCP acknowledgment number zero with the ACK flag: never on a SYN without ACK. */
    ZERO_ACK("ack-"),
    /** TCP urgent pointer non-zero without the URG flag. */
    NONZERO_URGENT("uptr+"),
    /** TCP URG flag set. */
    URGENT("urgf+"),
    /** TCP PSH flag set. */
    PUSH("pushf+"),
    /** Own timestamp (TSval) zero. */
    ZERO_TS1("ts1-"),
    /** Peer timestamp (TSecr) non-zero on a SYN. */
    NONZERO_TS2("ts2+"),
    /** Non-zero bytes after the end-of-options option. */
    OPTIONS_PAST_EOL("opt+"),
    /** Window scale above 14. */
    EXCESSIVE_WSCALE("exws"),
    /** bpftools: IPv4 ID equals the low 16 bits of (sequence number XOR TSval), as old Linux did. */
    LINUX("linux"),
    /** Malformed TCP options. */
    BAD_OPTIONS("bad");

    private final String token;

    P0fQuirk(String token) {
        this.token = token;
    }

    /** How signatures write it. */
    public String token() {
        return token;
    }

    /** True for the quirks that only IPv4 has (p0f ignores them on IPv6 packets). */
    public boolean ipv4Only() {
        return this == DF || this == NONZERO_ID || this == ZERO_ID || this == MUST_BE_ZERO || this == LINUX;
    }

    static P0fQuirk fromToken(String token) {
        for (P0fQuirk quirk : values()) {
            if (quirk.token.equals(token)) {
                return quirk;
            }
        }
        return null;
    }
}

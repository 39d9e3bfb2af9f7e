package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;

/**
 * Generates a classic BPF filter matching malformed DNS queries, with bpftools'
 * {@code dns_validate} meaning, to UDP port {@code port}. A DNS packet matches when any of these
 * holds:
 *
 * <ul>
 *   <li>the UDP length field, or the bytes the packet has from the UDP header on, are fewer than
 *       8 + 12 + 9 (a header and a question for a two-label name such as "a.b");
 *   <li>a flag other than CD, AD, Z is set, or (without {@code strict}) RD and RA: opcode,
 *       QR, AA, TC and RCODE must all be zero in a query;
 *   <li>QDCOUNT is not 1, ANCOUNT or NSCOUNT is not 0, ARCOUNT is more than 1.
 * </ul>
 *
 * bpftools meant to allow RD and RA but cleared bit 9 of the flags, which is TC, instead of
 * RA (bit 7); this filter allows RA as documented and treats TC as malformed. Unlike bpftools,
 * the packet checks of {@link DnsQueryFilter} come first, so only DNS traffic to {@code port}
 * can match, and a packet too short to hold a DNS header matches instead of failing a load.
 *
 * @param strict also treat RD and RA as malformed
 * @param port   the UDP destination port
 * @param link   what the packets start with
 */
public record DnsValidateFilter(boolean strict, int port, LinkType link) {
    /** UDP header, DNS header, and the shortest sensible question ("a.b", type, class). */
    static final int MIN_UDP_LENGTH = 8 + 12 + 9;

    static final int FLAG_CD = 0x0010;
    static final int FLAG_AD = 0x0020;
    static final int FLAG_Z = 0x0040;
    static final int FLAG_RA = 0x0080;
    static final int FLAG_RD = 0x0100;

    public DnsValidateFilter {
        PacketHeaders.checkPort(port);
        PacketHeaders.checkLink(link);
    }

    /** The flags that may be set in a well-formed query. */
    public int allowedFlags() {
        return FLAG_CD | FLAG_AD | FLAG_Z | (strict ? 0 : FLAG_RD | FLAG_RA);
    }

    public CbpfProgram program() {
        FilterAssembler asm = new FilterAssembler();
        Label reject = asm.newLabel("reject");
        Label malformed = asm.newLabel("malformed");
        PacketHeaders.toUdpPort(asm, link, port, reject);
        asm.emit(ldIndH(4));
        asm.jump(JGE, MIN_UDP_LENGTH, null, malformed);
        asm.emit(ldLen());
        asm.emit(aluX(SUB));
        asm.jump(JGE, MIN_UDP_LENGTH, null, malformed);
        asm.emit(ldIndH(8 + 2));
        asm.emit(andK(0xffff & ~allowedFlags()));
        asm.jump(JEQ, 0, null, malformed);
        asm.emit(ldIndH(8 + 4));
        asm.jump(JEQ, 1, null, malformed);
        asm.emit(ldIndW(8 + 6));
        asm.jump(JEQ, 0, null, malformed);
        asm.emit(ldIndH(8 + 10));
        asm.jump(JGT, 1, malformed, reject);
        asm.bind(malformed);
        asm.emit(retK(Verdict.MATCH));
        asm.bind(reject);
        asm.emit(retK(Verdict.NO_MATCH));
        return asm.assemble();
    }
}

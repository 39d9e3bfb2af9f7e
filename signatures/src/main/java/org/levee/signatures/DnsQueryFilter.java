package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsPattern.Element;

/**
 * Generates a classic BPF filter matching DNS queries whose first question name matches any of
 * {@code patterns} (bpftools' {@code dns} generator, with the packet checks built in).
 *
 * <p>The filter checks the link layer, IPv4 (any header length, not a non-first fragment) or
 * IPv6 (UDP as the next header), UDP to {@code port}, that the DNS message is a query (QR clear)
 * with at least one question, then the name. Name bytes are compared four at a time; a name that
 * the packet cuts short fails at its first load past the end, which ends a classic BPF filter
 * with 0 (no match), so no byte outside the packet is ever read.
 *
 * @param patterns   the name patterns; a packet matches when any of them does
 * @param ignoreCase fold the case of ASCII letters only ('A'-'Z' = 'a'-'z'); bpftools folded
 *                   every byte, so its '-' also matched '\r'
 * @param port       the UDP destination port
 * @param link       what the packets start with
 */
public record DnsQueryFilter(List<DnsPattern> patterns, boolean ignoreCase, int port, LinkType link) {

    /** Offset of the first question name from the UDP header: 8 of UDP, 12 of DNS header. */
    static final int NAME_OFFSET = 8 + 12;
    /** Scratch word holding the offset of the name, restored before each pattern. */
    private static final int NAME_START = 0;

    public DnsQueryFilter {
        patterns = List.copyOf(patterns);
        if (patterns.isEmpty()) {
            throw new SignatureException("no pattern given: name at least one DNS name pattern");
        }
        PacketHeaders.checkPort(port);
        PacketHeaders.checkLink(link);
    }

    /** Parses each of {@code patterns} ("pattern 1", "pattern 2", … in errors). */
    public static DnsQueryFilter of(List<String> patterns, boolean ignoreCase, int port, LinkType link) {
        List<DnsPattern> parsed = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            parsed.add(DnsPattern.parse(patterns.get(i), "pattern " + (i + 1)));
        }
        return new DnsQueryFilter(parsed, ignoreCase, port, link);
    }

    public CbpfProgram program() {
        FilterAssembler asm = new FilterAssembler();
        Label reject = asm.newLabel("reject");
        PacketHeaders.toUdpPort(asm, link, port, reject);
        asm.emit(ldIndB(8 + 2));
        asm.jump(JSET, 0x80, reject, null); // QR: a response, not a query
        matchQuestion(asm, patterns, ignoreCase, reject);
        return Programs.checkSize(asm.assemble(), "the DNS filter");
    }

    /**
     * With X = offset of the UDP header: matches when the message has a question and its first
     * name matches one of {@code patterns}; ends the program with both verdicts.
     */
    static void matchQuestion(FilterAssembler asm, List<DnsPattern> patterns, boolean ignoreCase, Label reject) {
        asm.emit(ldIndH(8 + 4));
        asm.jump(JEQ, 0, reject, null); // QDCOUNT: no question at all
        asm.emit(txa());
        asm.emit(addK(NAME_OFFSET));
        asm.emit(tax());
        asm.emit(stx(NAME_START));
        boolean walked = patterns.stream().anyMatch(DnsPattern::hasAnySuffix);
        if (walked) {
            requireWholeName(asm, reject);
        }
        for (int i = 0; i < patterns.size(); i++) {
            Label next = i == patterns.size() - 1 ? reject : asm.newLabel("pattern" + (i + 2));
            if (i > 0 || walked) {
                asm.emit(ldxMem(NAME_START));
            }
            matchName(asm, patterns.get(i), ignoreCase, next);
            asm.emit(retK(Verdict.MATCH));
            if (next != reject) {
                asm.bind(next);
            }
        }
        asm.bind(reject);
        asm.emit(retK(Verdict.NO_MATCH));
    }

    /**
     * With X = start of the name: rejects unless the name is a plain sequence of labels (1..63
     * bytes each, no compression pointer) that ends with its zero byte inside the packet and within
     * 255 bytes. Patterns ending in '**' read only the start of a name; this walk is what keeps a
     * name cut by the end of the packet from matching them. Unrolled, since classic BPF cannot
     * loop: one step per possible label, with exits repeated often enough for every jump to reach.
     */
    private static void requireWholeName(FilterAssembler asm, Label reject) {
        int maxLabels = (DnsPattern.MAX_NAME_BYTES - 1) / 2;
        Label end = asm.newLabel("name-end");
        Label nearEnd = null;
        Label nearReject = null;
        for (int step = 0; step <= maxLabels; step++) {
            if (step % 30 == 0) {
                if (nearEnd != null) {
                    Label on = asm.newLabel("walk");
                    asm.jumpAlways(on);
                    asm.bind(nearEnd);
                    asm.jumpAlways(end);
                    asm.bind(nearReject);
                    asm.jumpAlways(reject);
                    asm.bind(on);
                }
                nearEnd = asm.newLabel("near-name-end");
                nearReject = asm.newLabel("near-reject");
            }
            asm.emit(ldIndB(0));
            if (step == maxLabels) {
                asm.jump(JEQ, 0, nearEnd, nearReject); // more labels than 255 bytes can hold
                break;
            }
            asm.jump(JEQ, 0, nearEnd, null);
            asm.jump(JGT, DnsPattern.MAX_LABEL_BYTES, nearReject, null);
            asm.emit(aluX(ADD));
            asm.emit(addK(1));
            asm.emit(tax());
        }
        asm.bind(nearEnd);
        asm.jumpAlways(end);
        asm.bind(nearReject);
        asm.jumpAlways(reject);
        asm.bind(end);
        // X = the zero byte: the bytes before it and the zero itself make at most 255.
        asm.emit(txa());
        asm.emit(ldxMem(NAME_START));
        asm.emit(aluX(SUB));
        asm.jump(JGT, DnsPattern.MAX_NAME_BYTES - 1, reject, null);
    }

    /** With X = start of the name: falls through if the name matches, else jumps to fail. */
    private static void matchName(FilterAssembler asm, DnsPattern pattern, boolean ignoreCase, Label fail) {
        List<Element> labels = pattern.labels();
        MaskedBytes run = new MaskedBytes();
        for (Element element : labels) {
            switch (element) {
                case Element.Literal literal -> {
                    byte[] bytes = literal.bytes();
                    boolean[] wildcard = literal.wildcard();
                    run.add(bytes.length, 0);
                    for (int i = 0; i < bytes.length; i++) {
                        run.add(bytes[i] & 0xff, maskOf(bytes[i], wildcard[i], ignoreCase));
                    }
                }
                case Element.AnyLabel any -> {
                    int advance = run.emitCompare(asm, fail);
                    run = new MaskedBytes();
                    // A = length byte of this label; X moves past the label.
                    asm.emit(ldIndB(advance));
                    asm.jump(JGE, any.min(), null, fail);
                    asm.jump(JGT, any.max(), fail, null);
                    asm.emit(aluX(ADD));
                    asm.emit(addK(advance + 1));
                    asm.emit(tax());
                }
                case Element.AnySuffix ignored -> {
                    int at = run.emitCompare(asm, fail);
                    run = new MaskedBytes();
                    asm.emit(ldIndB(at));
                    asm.jump(JEQ, 0, fail, null); // at least one more label
                    return;
                }
            }
        }
        run.add(0, 0); // the root label ends the name
        run.emitCompare(asm, fail);
    }

    private static int maskOf(byte b, boolean wildcard, boolean ignoreCase) {
        if (wildcard) {
            return 0xff;
        }
        boolean letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
        return ignoreCase && letter ? 0x20 : 0;
    }
}

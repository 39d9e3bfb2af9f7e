package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.List;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.P0fSignature.Version;
import org.levee.signatures.P0fSignature.Window;

/**
 * Generates a classic BPF filter matching TCP SYNs (SYN set; ACK, RST, FIN clear) that p0f v3
 * would match exactly (not fuzzily) with {@code signature}.
 *
 * <p>The filter replays what p0f's packet parser computes: it refuses what p0f refuses
 * (fragments, IPv4 headers shorter than 20 bytes, a total length beyond the packet, a TCP
 * header beyond the IP payload, IPv6 extension headers), then walks the TCP options exactly
 * as p0f does: known options advance by their fixed size whatever their length byte says (a
 * wrong length byte is the 'bad' quirk), sack and unknown options by their length byte, and an
 * option that would run past the header ends the walk with 'bad'. Quirks must match as a set;
 * values p0f takes from options (MSS, window scale, TSval) are the last ones seen.
 *
 * @param signature the p0f signature
 * @param link      what the packets start with
 */
public record P0fFilter(P0fSignature signature, LinkType link) {

    // Scratch words.
    private static final int M_IP = 0; // offset of the IP header
    private static final int M_TCP = 1; // offset of the TCP header
    private static final int M_END = 2; // offset of the first byte after the TCP options
    private static final int M_SEEN = 3; // option quirks seen, as bits of OptionQuirk
    private static final int M_MSS = 4; // last MSS option value (0 = none)
    private static final int M_WSCALE = 5; // last window scale value (0 = none)
    private static final int M_TS1 = 6; // last TSval (0 = none)
    private static final int M_SEGMENT = 7; // TCP header + payload length, from the IP header
    private static final int M_IP_HEADER = 8; // IP header length
    private static final int M_HEADER = 9; // TCP header length (data offset × 4)
    private static final int M_ECN = 10; // ECN bits of the IP header
    private static final int M_IPV6 = 11; // 1 for IPv6, 0 for IPv4
    private static final int M_TEMP = 12;
    private static final int M_CURSOR = 13; // option being parsed, while X holds its length

    /** Bits of M_SEEN: quirks that option parsing may show, recorded when the signature wants them. */
    private static final int SEEN_BAD = 1;

    private static final int SEEN_ZERO_TS1 = 2;
    private static final int SEEN_NONZERO_TS2 = 4;
    private static final int SEEN_EXWS = 8;

    private static final int IPV4_DF = 0x4000;
    private static final int IPV4_MBZ = 0x8000;

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_PUSH = 0x08;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_URG = 0x20;
    private static final int TCP_ECE_CWR = 0xc0;
    private static final int TCP_NS = 0x01;

    public P0fFilter {
        PacketHeaders.checkLink(link);
    }

    /** Parses {@code signature} and builds the filter for it. */
    public static P0fFilter of(String signature, LinkType link) {
        return new P0fFilter(P0fSignature.parse(signature), link);
    }

    public CbpfProgram program() {
        return new Generator(new FilterAssembler()).generate();
    }

    /** One generation: the assembler and the exits shared by every check. */
    private final class Generator {
        private final FilterAssembler asm;
        private final Label reject;
        private final P0fSignature sig = signature;
        private final int seenWanted;

        Generator(FilterAssembler asm) {
            this.asm = asm;
            this.reject = asm.newLabel("reject");
            int wanted = 0;
            wanted |= sig.hasQuirk(P0fQuirk.BAD_OPTIONS) ? SEEN_BAD : 0;
            wanted |= sig.hasQuirk(P0fQuirk.ZERO_TS1) ? SEEN_ZERO_TS1 : 0;
            wanted |= sig.hasQuirk(P0fQuirk.NONZERO_TS2) ? SEEN_NONZERO_TS2 : 0;
            wanted |= sig.hasQuirk(P0fQuirk.EXCESSIVE_WSCALE) ? SEEN_EXWS : 0;
            this.seenWanted = wanted;
        }

        CbpfProgram generate() {
            Label ipv4 = sig.version() == Version.IPV6 ? null : asm.newLabel("ipv4");
            // p0f counts no IP options on IPv6: with olen > 0 only IPv4 can match.
            boolean ipv6Possible = sig.version() != Version.IPV4 && sig.ipOptions() == 0;
            Label ipv6 = ipv6Possible ? asm.newLabel("ipv6") : null;
            Label tcp = asm.newLabel("tcp");
            PacketHeaders.toNetworkLayer(asm, link, ipv4, ipv6, reject);
            if (ipv4 != null) {
                asm.bind(ipv4);
                ipv4();
                asm.jumpAlways(tcp);
            }
            if (ipv6 != null) {
                asm.bind(ipv6);
                ipv6();
            }
            asm.bind(tcp);
            tcp();
            options();
            values();
            window();
            payload();
            linux();
            asm.emit(retK(Verdict.MATCH));
            asm.bind(reject);
            asm.emit(retK(Verdict.NO_MATCH));
            return Programs.checkSize(asm.assemble(), "the p0f filter");
        }

        /** X = IPv4 header. Leaves X = TCP header and the M_ words of the IP layer set. */
        private void ipv4() {
            int headerLength = 20 + sig.ipOptions();
            asm.emit(stx(M_IP));
            asm.emit(ldIndB(9));
            asm.jump(JEQ, PacketHeaders.PROTO_TCP, null, reject);
            asm.emit(ldIndH(6));
            asm.jump(JSET, 0x3fff, reject, null); // MF or a fragment offset: p0f skips fragments
            asm.emit(ldIndB(0));
            asm.emit(andK(0x0f));
            asm.jump(JEQ, headerLength / 4, null, reject); // olen
            // The total length must fit in the packet and hold the IP header and a TCP header.
            asm.emit(ldIndH(2));
            asm.jump(JGE, headerLength + 20, null, reject);
            requireWithinPacket(0);
            asm.emit(ldxMem(M_IP));
            asm.emit(ldIndH(2));
            asm.emit(subK(headerLength));
            asm.emit(st(M_SEGMENT));
            asm.emit(ldImm(headerLength));
            asm.emit(st(M_IP_HEADER));
            asm.emit(ldImm(0));
            asm.emit(st(M_IPV6));
            asm.emit(ldIndB(8));
            ttl();
            asm.emit(ldIndB(1));
            asm.emit(andK(0x03));
            asm.emit(st(M_ECN));
            boolean df = sig.hasQuirk(P0fQuirk.DF);
            asm.emit(ldIndH(6));
            asm.jump(JSET, IPV4_DF, df ? null : reject, df ? reject : null);
            asm.jump(
                    JSET,
                    IPV4_MBZ,
                    sig.hasQuirk(P0fQuirk.MUST_BE_ZERO) ? null : reject,
                    sig.hasQuirk(P0fQuirk.MUST_BE_ZERO) ? reject : null);
            // With DF, a zero ID is plain 'df' and a non-zero one 'df,id+'; without DF a zero ID
            // is 'id-' and a non-zero one shows nothing.
            boolean zeroId = df ? !sig.hasQuirk(P0fQuirk.NONZERO_ID) : sig.hasQuirk(P0fQuirk.ZERO_ID);
            asm.emit(ldIndH(4));
            asm.jump(JEQ, 0, zeroId ? null : reject, zeroId ? reject : null);
            asm.emit(txa());
            asm.emit(addK(headerLength));
            asm.emit(tax());
        }

        /** X = IPv6 header. Leaves X = TCP header and the M_ words of the IP layer set. */
        private void ipv6() {
            asm.emit(stx(M_IP));
            asm.emit(ldIndB(6));
            asm.jump(JEQ, PacketHeaders.PROTO_TCP, null, reject);
            asm.emit(ldIndH(4));
            asm.jump(JGE, 20, null, reject);
            requireWithinPacket(40);
            asm.emit(ldxMem(M_IP));
            asm.emit(ldIndH(4));
            asm.emit(st(M_SEGMENT));
            asm.emit(ldImm(40));
            asm.emit(st(M_IP_HEADER));
            asm.emit(ldImm(1));
            asm.emit(st(M_IPV6));
            asm.emit(ldIndB(7));
            ttl();
            asm.emit(ldIndB(1));
            asm.emit(andK(0x30));
            asm.emit(st(M_ECN));
            boolean flow = sig.hasQuirk(P0fQuirk.FLOW);
            asm.emit(ldIndW(0));
            asm.jump(JSET, 0xfffff, flow ? null : reject, flow ? reject : null);
            asm.emit(txa());
            asm.emit(addK(40));
            asm.emit(tax());
        }

        /** A = the length field just checked; rejects unless IP offset + extra + A ≤ packet length. */
        private void requireWithinPacket(int extra) {
            asm.emit(addK(extra));
            asm.emit(st(M_TEMP));
            asm.emit(ldLen());
            asm.emit(aluX(SUB)); // bytes from the IP header on
            asm.emit(ldxMem(M_TEMP));
            asm.jumpX(JGE, null, reject);
        }

        /** A = TTL or hop limit. */
        private void ttl() {
            int n = sig.initialTtl();
            asm.jump(JGT, n, reject, null);
            if (!sig.randomTtl() && n > 35) {
                asm.jump(JGT, n - 35, null, reject);
            }
        }

        /** X = TCP header: flags, quirks of the fixed header, header length. */
        private void tcp() {
            asm.emit(stx(M_TCP));
            asm.emit(ldIndB(13));
            asm.emit(andK(TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN));
            asm.jump(JEQ, TCP_SYN, null, reject);
            // ECN: IP ECN bits, ECE or CWR, or NS.
            Label ecnChecked = asm.newLabel("ecn-checked");
            boolean wantEcn = sig.hasQuirk(P0fQuirk.ECN);
            Label ecn = wantEcn ? ecnChecked : reject;
            Label noEcn = wantEcn ? reject : ecnChecked;
            asm.emit(ldIndB(13));
            asm.jump(JSET, TCP_ECE_CWR, ecn, null);
            asm.emit(ldIndB(12));
            asm.jump(JSET, TCP_NS, ecn, null);
            asm.emit(ldMem(M_ECN));
            asm.jump(JEQ, 0, noEcn, ecn);
            asm.bind(ecnChecked);
            flag(TCP_PUSH, P0fQuirk.PUSH);
            flag(TCP_URG, P0fQuirk.URGENT);
            if (!sig.hasQuirk(P0fQuirk.URGENT)) {
                // URG is clear here: a non-zero urgent pointer is 'uptr+'.
                asm.emit(ldIndH(18));
                zeroTest(!sig.hasQuirk(P0fQuirk.NONZERO_URGENT));
            }
            asm.emit(ldIndW(4));
            zeroTest(sig.hasQuirk(P0fQuirk.ZERO_SEQ));
            asm.emit(ldIndW(8)); // ACK is clear here: a non-zero number is 'ack+'
            zeroTest(!sig.hasQuirk(P0fQuirk.NONZERO_ACK));
            // Header length: at least 20 bytes, within the IP payload.
            asm.emit(ldIndB(12));
            asm.emit(rshK(4));
            asm.jump(JGE, 5, null, reject);
            asm.emit(lshK(2));
            asm.emit(st(M_HEADER));
            asm.emit(ldxMem(M_SEGMENT));
            asm.jumpX(JGT, reject, null);
            asm.emit(ldxMem(M_TCP));
            asm.emit(aluX(ADD));
            asm.emit(st(M_END));
        }

        /** A flag that is a quirk: must be set exactly when the signature lists the quirk. */
        private void flag(int bit, P0fQuirk quirk) {
            asm.emit(ldIndB(13));
            boolean want = sig.hasQuirk(quirk);
            asm.jump(JSET, bit, want ? null : reject, want ? reject : null);
        }

        /** Rejects unless A is zero exactly when {@code zero}. */
        private void zeroTest(boolean zero) {
            asm.jump(JEQ, 0, zero ? null : reject, zero ? reject : null);
        }

        /** Walks the options as p0f does; X = TCP header on entry. */
        private void options() {
            List<Integer> layout = sig.layout();
            for (int word : new int[] {M_MSS, M_WSCALE, M_TS1, M_SEEN}) {
                asm.emit(ldImm(0));
                asm.emit(st(word));
            }
            asm.emit(txa());
            asm.emit(addK(20));
            asm.emit(tax());
            Label done = asm.newLabel("options-done");
            for (int i = 0; i < layout.size(); i++) {
                boolean last = i == layout.size() - 1;
                // Abort: the option runs past the header. Only a last option may, and only with 'bad'.
                int kind = layout.get(i);
                boolean mayAbort = last && kind != P0fSignature.EOL && sig.hasQuirk(P0fQuirk.BAD_OPTIONS);
                Label abort = mayAbort ? asm.newLabel("abort") : reject;
                remaining();
                asm.jump(JEQ, 0, reject, null); // fewer options than the layout
                asm.emit(ldIndB(0));
                asm.jump(JEQ, kind, null, reject);
                switch (kind) {
                    case P0fSignature.EOL -> {
                        eol();
                        asm.jumpAlways(done);
                    }
                    case P0fSignature.NOP -> advance(1);
                    case P0fSignature.MSS ->
                        fixed(4, abort, () -> {
                            asm.emit(ldIndH(2));
                            asm.emit(st(M_MSS));
                        });
                    case P0fSignature.WS ->
                        fixed(3, abort, () -> {
                            asm.emit(ldIndB(2));
                            asm.emit(st(M_WSCALE));
                            optionQuirk(JGT, 14, P0fQuirk.EXCESSIVE_WSCALE, SEEN_EXWS);
                        });
                    case P0fSignature.SOK -> fixed(2, abort, () -> {});
                    case P0fSignature.TS ->
                        fixed(10, abort, () -> {
                            asm.emit(ldIndW(2));
                            asm.emit(st(M_TS1));
                            optionQuirk(JEQ, 0, P0fQuirk.ZERO_TS1, SEEN_ZERO_TS1);
                            asm.emit(ldIndW(6));
                            // Only a pure SYN reaches here, the one case where p0f checks TSecr.
                            Label zero = asm.newLabel("ts2-zero");
                            asm.jump(JEQ, 0, zero, null);
                            seen(P0fQuirk.NONZERO_TS2, SEEN_NONZERO_TS2);
                            asm.bind(zero);
                        });
                    case P0fSignature.SACK -> sized(10, 34, abort);
                    default -> sized(2, 40, abort);
                }
                if (abort != reject) {
                    asm.jumpAlways(done);
                    asm.bind(abort);
                    markSeen(SEEN_BAD);
                    asm.jumpAlways(done);
                }
            }
            if (layout.isEmpty() || layout.getLast() != P0fSignature.EOL) {
                remaining();
                if (layout.size() < P0fSignature.MAX_OPTIONS) {
                    asm.jump(JEQ, 0, null, reject); // more options than the layout
                } else {
                    // p0f stops recording at 24 options; what is left makes the options 'bad'.
                    Label clean = asm.newLabel("clean");
                    asm.jump(JEQ, 0, clean, null);
                    badLength();
                    asm.bind(clean);
                }
            }
            asm.bind(done);
            if (seenWanted != 0) {
                asm.emit(ldMem(M_SEEN));
                asm.jump(JEQ, seenWanted, null, reject);
            }
        }

        /** A = bytes of options from X on. */
        private void remaining() {
            asm.emit(ldMem(M_END));
            asm.emit(aluX(SUB));
        }

        /** A known option of fixed {@code size}: bounds, length byte, then {@code read}. */
        private void fixed(int size, Label abort, Runnable read) {
            remaining();
            asm.jump(JGE, size, null, abort);
            asm.emit(ldIndB(1));
            Label lengthOk = asm.newLabel("length-ok");
            asm.jump(JEQ, size, lengthOk, null);
            badLength();
            asm.bind(lengthOk);
            read.run();
            advance(size);
        }

        /** An option whose length byte (min..max) says how far to go: sack or an unknown one. */
        private void sized(int min, int max, Label abort) {
            remaining();
            asm.jump(JGE, 2, null, abort); // room for the length byte
            asm.emit(ldIndB(1));
            asm.jump(JGE, min, null, abort);
            asm.jump(JGT, max, abort, null);
            asm.emit(stx(M_CURSOR));
            asm.emit(tax()); // X = length
            asm.emit(ldMem(M_CURSOR));
            asm.emit(aluX(ADD)); // A = where the option ends
            asm.emit(ldxMem(M_END));
            asm.jumpX(JGT, abort, null);
            asm.emit(tax());
        }

        /** eol+N: exactly N bytes follow, all zero unless 'opt+'. */
        private void eol() {
            int padding = sig.eolPadding();
            remaining();
            asm.jump(JEQ, padding + 1, null, reject);
            boolean nonZero = sig.hasQuirk(P0fQuirk.OPTIONS_PAST_EOL);
            Label found = asm.newLabel("nonzero-padding");
            int offset = 1;
            while (offset < padding + 1) {
                int width = Math.min(4, padding + 1 - offset);
                width = width == 3 ? 2 : width;
                asm.emit(
                        switch (width) {
                            case 4 -> ldIndW(offset);
                            case 2 -> ldIndH(offset);
                            default -> ldIndB(offset);
                        });
                asm.jump(JEQ, 0, null, nonZero ? found : reject);
                offset += width;
            }
            if (nonZero) {
                asm.jumpAlways(reject);
                asm.bind(found);
            }
        }

        /** A wrong length byte on a known option: p0f's 'bad', parsing goes on. */
        private void badLength() {
            if (sig.hasQuirk(P0fQuirk.BAD_OPTIONS)) {
                markSeen(SEEN_BAD);
            } else {
                asm.jumpAlways(reject);
            }
        }

        /** A quirk an option shows when A op k holds. */
        private void optionQuirk(int op, int k, P0fQuirk quirk, int bit) {
            Label absent = asm.newLabel("no-" + quirk.token());
            asm.jump(op, k, null, absent);
            seen(quirk, bit);
            asm.bind(absent);
        }

        /** The option quirk is present: record it if wanted, reject if not. */
        private void seen(P0fQuirk quirk, int bit) {
            if (sig.hasQuirk(quirk)) {
                markSeen(bit);
            } else {
                asm.jumpAlways(reject);
            }
        }

        private void markSeen(int bit) {
            asm.emit(ldMem(M_SEEN));
            asm.emit(orK(bit));
            asm.emit(st(M_SEEN));
        }

        private void advance(int bytes) {
            asm.emit(txa());
            asm.emit(addK(bytes));
            asm.emit(tax());
        }

        /** MSS and window scale, as the last options of their kind left them. */
        private void values() {
            if (sig.mss().isPresent()) {
                asm.emit(ldMem(M_MSS));
                asm.jump(JEQ, sig.mss().getAsInt(), null, reject);
            }
            if (sig.scale().isPresent()) {
                asm.emit(ldMem(M_WSCALE));
                asm.jump(JEQ, sig.scale().getAsInt(), null, reject);
            }
        }

        private void window() {
            if (sig.window() instanceof Window.Any) {
                return;
            }
            asm.emit(ldxMem(M_TCP));
            asm.emit(ldIndH(14));
            switch (sig.window()) {
                case Window.Any ignored -> {}
                case Window.Fixed fixed -> asm.jump(JEQ, fixed.size(), null, reject);
                case Window.Multiple multiple -> {
                    asm.emit(modK(multiple.divisor()));
                    asm.jump(JEQ, 0, null, reject);
                }
                case Window.MssTimes times -> multiplier(false, times.factor());
                case Window.MtuTimes times -> multiplier(true, times.factor());
            }
        }

        /**
         * p0f's detect_win_multi: the first divisor of the window in p0f's order decides whether
         * it is a multiple of the MSS or of the MTU, and the quotient is the factor.
         */
        private void multiplier(boolean mtu, int factor) {
            Label accepted = asm.newLabel("window-ok");
            Divisors divisors = new Divisors(mtu, factor, accepted);
            asm.emit(st(M_TEMP)); // the window
            asm.jump(JEQ, 0, reject, null);
            asm.emit(ldMem(M_MSS));
            asm.jump(JGE, 100, null, reject);
            // MSS, then MSS - 12 when TSval is non-zero.
            asm.emit(ldMem(M_MSS));
            divisors.mss();
            Label noTs = asm.newLabel("no-tsval");
            asm.emit(ldMem(M_TS1));
            asm.jump(JEQ, 0, noTs, null);
            asm.emit(ldMem(M_MSS));
            asm.emit(subK(12));
            divisors.mss();
            asm.bind(noTs);
            divisors.constant(1500 - 40, false);
            divisors.constant(1500 - 40 - 12, false);
            ipv6Only(() -> {
                divisors.constant(1500 - 60, false);
                divisors.constant(1500 - 60 - 12, false);
            });
            asm.emit(ldMem(M_MSS));
            asm.emit(addK(40));
            divisors.mtu();
            asm.emit(ldMem(M_MSS));
            asm.emit(ldxMem(M_IP_HEADER));
            asm.emit(aluX(ADD));
            asm.emit(ldxMem(M_HEADER));
            asm.emit(aluX(ADD));
            divisors.mtu();
            ipv6Only(() -> {
                asm.emit(ldMem(M_MSS));
                asm.emit(addK(60));
                divisors.mtu();
            });
            divisors.constant(1500, true);
            asm.jumpAlways(reject);
            asm.bind(accepted);
        }

        /**
         * The candidates of {@link #multiplier}: with the divisor in A (never 0, the MSS is at
         * least 100), if it divides the window p0f stops there: the kind (MSS or MTU) must be
         * the signature's and the quotient its factor.
         */
        private final class Divisors {
            private final boolean mtuWanted;
            private final int factor;
            private final Label accepted;

            Divisors(boolean mtuWanted, int factor, Label accepted) {
                this.mtuWanted = mtuWanted;
                this.factor = factor;
                this.accepted = accepted;
            }

            void mss() {
                candidate(false);
            }

            void mtu() {
                candidate(true);
            }

            void constant(int divisor, boolean ofMtu) {
                asm.emit(ldImm(divisor));
                candidate(ofMtu);
            }

            private void candidate(boolean ofMtu) {
                Label next = asm.newLabel("next-divisor");
                asm.emit(tax());
                asm.emit(ldMem(M_TEMP));
                asm.emit(aluX(MOD));
                asm.jump(JEQ, 0, null, next);
                if (ofMtu != mtuWanted) {
                    asm.jumpAlways(reject);
                } else {
                    asm.emit(ldMem(M_TEMP));
                    asm.emit(aluX(DIV));
                    asm.jump(JEQ, factor, accepted, reject);
                }
                asm.bind(next);
            }
        }

        private void ipv6Only(Runnable candidates) {
            switch (sig.version()) {
                case IPV4 -> {}
                case IPV6 -> candidates.run();
                case ANY -> {
                    Label skip = asm.newLabel("ipv4-skip");
                    asm.emit(ldMem(M_IPV6));
                    asm.jump(JEQ, 0, skip, null);
                    candidates.run();
                    asm.bind(skip);
                }
            }
        }

        /** Payload class: IP payload beyond the TCP header. */
        private void payload() {
            if (sig.payload() == P0fSignature.Payload.ANY) {
                return;
            }
            asm.emit(ldMem(M_SEGMENT));
            asm.emit(ldxMem(M_HEADER));
            asm.emit(aluX(SUB));
            zeroTest(sig.payload() == P0fSignature.Payload.ZERO);
        }

        /** bpftools' 'linux': IPv4 ID == (seq ^ TSval) & 0xffff; ignored on IPv6. */
        private void linux() {
            if (!sig.hasQuirk(P0fQuirk.LINUX)) {
                return;
            }
            Label skip = asm.newLabel("linux-skip");
            asm.emit(ldMem(M_IPV6));
            asm.jump(JEQ, 0, null, skip);
            asm.emit(ldxMem(M_TCP));
            asm.emit(ldIndW(4));
            asm.emit(ldxMem(M_TS1));
            asm.emit(aluX(XOR));
            asm.emit(andK(0xffff));
            asm.emit(st(M_TEMP));
            asm.emit(ldxMem(M_IP));
            asm.emit(ldIndH(4));
            asm.emit(ldxMem(M_TEMP));
            asm.jumpX(JEQ, null, reject);
            asm.bind(skip);
        }
    }
}

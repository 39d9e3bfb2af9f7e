package org.levee.detector.rule;

import static org.levee.cbpf.CbpfInstruction.*;

import java.io.ByteArrayOutputStream;
import org.levee.cbpf.CbpfProgram;

/**
 * A direct classic-BPF builder for DNS question names, until the signatures module's DNS
 * generator replaces it. The program matches a UDP packet to or from port 53 whose FIRST question
 * name is the given name, or (by parent domain) any single label followed by it, comparing
 * letters case-insensitively as DNS does. It reads Ethernet with an optional 802.1Q tag, IPv4
 * with any header length (never a later fragment) or IPv6 with UDP as the next header, and checks
 * the packet length before every region it reads, so no load is ever out of bounds.
 *
 * <p>Registers: X holds the offset of the header being read. Scratch word 0 saves X across a
 * length check.
 */
final class DnsQueryNameFilter {

    /** What libpcap returns for an accepted packet: keep it whole. */
    static final int ACCEPT = 262144;

    private DnsQueryNameFilter() {}

    /**
     * @param name the name, dot-separated, without trailing dot
     * @param parentDomain true to match one arbitrary label followed by {@code name}
     * @param sourcePort true to test UDP source port 53 (responses), false for the destination
     *     port (queries)
     */
    static CbpfProgram build(String name, boolean parentDomain, boolean sourcePort) {
        byte[] encoded = encode(name);
        CbpfAssembler a = new CbpfAssembler();
        a.emit(ldLen()).jump(JGE, 14, null, "fail");
        a.emit(ldxImm(14)).emit(ldAbsH(12)).jump(JEQ, 0x8100, null, "ethertype");
        a.emit(ldLen()).jump(JGE, 18, null, "fail");
        a.emit(ldxImm(18)).emit(ldAbsH(16));
        a.label("ethertype");
        a.jump(JEQ, 0x0800, "ipv4", null);
        a.jump(JEQ, 0x86dd, "ipv6", "fail");

        a.label("ipv4");
        requireLength(a, 20);
        a.emit(ldIndB(0)).emit(andK(0xf0)).jump(JEQ, 0x40, null, "fail");
        a.emit(ldIndB(9)).jump(JEQ, 17, null, "fail");
        a.emit(ldIndH(6)).jump(JSET, 0x1fff, "fail", null);
        a.emit(ldIndB(0)).emit(andK(0x0f)).jump(JGE, 5, null, "fail");
        a.emit(lshK(2)).emit(aluX(ADD)).emit(tax());
        a.jumpAlways("udp");

        a.label("ipv6");
        requireLength(a, 40);
        a.emit(ldIndB(0)).emit(andK(0xf0)).jump(JEQ, 0x60, null, "fail");
        a.emit(ldIndB(6)).jump(JEQ, 17, null, "fail");
        a.emit(txa()).emit(addK(40)).emit(tax());

        a.label("udp");
        requireLength(a, 8 + 12);
        a.emit(ldIndH(sourcePort ? 0 : 2)).jump(JEQ, 53, null, "fail");
        a.emit(ldIndH(8 + 4)).jump(JEQ, 0, "fail", null); // QDCOUNT: no question, no name
        if (parentDomain) {
            // Skip the first label: a length 1..63 (not a compression pointer), then its bytes.
            requireLength(a, 8 + 12 + 1);
            a.emit(ldIndB(8 + 12)).jump(JEQ, 0, "fail", null).jump(JGT, 63, "fail", null);
            a.emit(addK(1)).emit(aluX(ADD)).emit(tax());
        }
        requireLength(a, 8 + 12 + encoded.length);
        a.jumpAlways("name");
        a.label("fail");
        a.emit(retK(0));

        a.label("name");
        int checks = 0;
        for (int at = 0; at < encoded.length; ) {
            int width = encoded.length - at >= 4 ? 4 : encoded.length - at >= 2 ? 2 : 1;
            long expected = 0;
            long fold = 0;
            for (int i = 0; i < width; i++) {
                int b = encoded[at + i] & 0xff;
                boolean letter = b >= 'a' && b <= 'z' && !isLengthByte(encoded, at + i);
                expected = (expected << 8) | b;
                fold = (fold << 8) | (letter ? 0x20 : 0);
            }
            int offset = 8 + 12 + at;
            a.emit(width == 4 ? ldIndW(offset) : width == 2 ? ldIndH(offset) : ldIndB(offset));
            if (fold != 0) {
                a.emit(orK((int) fold));
            }
            String ok = "ok" + checks++;
            a.jump(JEQ, (int) expected, ok, null);
            a.emit(retK(0));
            a.label(ok);
            at += width;
        }
        a.emit(retK(ACCEPT));
        return a.assemble();
    }

    /** Rejects the packet unless it is at least X + {@code bytes} long; keeps X. */
    private static void requireLength(CbpfAssembler a, int bytes) {
        a.emit(stx(0)).emit(txa()).emit(addK(bytes)).emit(tax());
        a.emit(ldLen()).jumpX(JGE, null, "fail");
        a.emit(ldxMem(0));
    }

    /**
     * The name in DNS wire format, lower case: length-prefixed labels and a zero. The name is in
     * the decoder's presentation format, where {@code \DDD} stands for the byte DDD.
     */
    static byte[] encode(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("DNS name is empty");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int j = 0; j < label.length(); j++) {
                char c = label.charAt(j);
                if (c == '\\') {
                    if (j + 4 > label.length() || !label.substring(j + 1, j + 4).matches("[0-9]{3}")
                            || Integer.parseInt(label.substring(j + 1, j + 4)) > 255) {
                        throw new IllegalArgumentException("DNS name '" + name + "': label " + i
                                + " has a bad escape at " + j + " (\\DDD, DDD at most 255)");
                    }
                    bytes.write(Integer.parseInt(label.substring(j + 1, j + 4)));
                    j += 3;
                } else if (c < 0x21 || c > 0x7e) {
                    throw new IllegalArgumentException("DNS name '" + name + "': label " + i
                            + " has a non-printable character at " + j + " (write it as \\DDD)");
                } else {
                    bytes.write(Character.toLowerCase(c));
                }
            }
            if (bytes.size() == 0 || bytes.size() > 63) {
                throw new IllegalArgumentException("DNS name '" + name + "': label " + i
                        + " has length " + bytes.size() + ", must be 1..63");
            }
            out.write(bytes.size());
            out.writeBytes(bytes.toByteArray());
        }
        out.write(0);
        if (out.size() > 255) {
            throw new IllegalArgumentException("DNS name '" + name + "' is " + out.size()
                    + " bytes in wire format, more than 255");
        }
        return out.toByteArray();
    }

    private static boolean isLengthByte(byte[] encoded, int index) {
        for (int at = 0; at < encoded.length; at += (encoded[at] & 0xff) + 1) {
            if (at == index) {
                return true;
            }
            if (encoded[at] == 0) {
                break;
            }
        }
        return false;
    }
}

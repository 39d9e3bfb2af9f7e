package org.levee.lab;

import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How to make the packets of one flood: a template Ethernet frame (IPv4 without options, then TCP
 * or UDP), the fields rewritten for every packet, and, from these, what the generator needs to
 * fix the two checksums cheaply: the sum of the words that never change (computed here once) and
 * the word offsets that change (re-read from the packet by the program).
 */
public record FrameRecipe(FloodKind kind, byte[] template, List<FrameField> fields) {
    public FrameRecipe {
        boolean v6 = template.length >= 14 && Checksums.isIpv6(template);
        String family = v6 ? "IPv6" : "IPv4";
        int l4 = v6 ? Checksums.L4_OFFSET_V6 : Checksums.L4_OFFSET;
        if (template.length < l4 + 8) {
            throw new IllegalArgumentException(kind + " template: " + template.length
                    + " bytes is too short for Ethernet, " + family + " and UDP/TCP");
        }
        if (!v6 && ((template[12] & 0xff) != 0x08 || template[13] != 0)) {
            throw new IllegalArgumentException(
                    kind + " template: EtherType at bytes 12–13 is neither IPv4 (0x0800) nor IPv6 (0x86dd)");
        }
        if (!v6 && (template[Checksums.IP_OFFSET] & 0xff) != 0x45) {
            throw new IllegalArgumentException(kind + " template: byte 14 is not 0x45 (IPv4 without options)");
        }
        if (v6 && (template[Checksums.IP_OFFSET] & 0xf0) != 0x60) {
            throw new IllegalArgumentException(kind + " template: byte 14 does not start with version 6");
        }
        if (Checksums.IP_OFFSET + Checksums.ipTotalLength(template) != template.length) {
            throw new IllegalArgumentException(
                    kind + " template: " + family + " length " + Checksums.ipTotalLength(template)
                            + " does not match the frame's " + template.length + " bytes minus 14 for Ethernet");
        }
        Checksums.l4ChecksumOffset(template); // TCP or UDP, no extension headers
        template = template.clone();
        fields = List.copyOf(fields);
        int checksumAt = Checksums.l4ChecksumOffset(template);
        for (int i = 0; i < fields.size(); i++) {
            FrameField f = fields.get(i);
            if (f.offset() < Checksums.IP_OFFSET || f.offset() + f.length() > template.length) {
                throw new IllegalArgumentException(kind + " field " + i + " (" + f
                        + ") lies outside the IP packet (bytes 14–" + (template.length - 1) + ")");
            }
            if ((!v6 && overlaps(f, Checksums.IP_OFFSET + 10, 2)) || overlaps(f, checksumAt, 2)) {
                throw new IllegalArgumentException(kind + " field " + i + " (" + f + ") overlaps a checksum");
            }
            if (!v6 && (overlaps(f, Checksums.IP_OFFSET, 4) || overlaps(f, Checksums.IP_OFFSET + 9, 1))) {
                throw new IllegalArgumentException(
                        kind + " field " + i + " (" + f + ") overlaps the IPv4 version, length or protocol");
            }
            if (v6 && overlaps(f, Checksums.IP_OFFSET, 7)) {
                throw new IllegalArgumentException(
                        kind + " field " + i + " (" + f + ") overlaps the IPv6 version, length or next header");
            }
            if ((f instanceof FrameField.RandomSource) == v6
                    && (f instanceof FrameField.RandomSource || f instanceof FrameField.RandomSource6)) {
                throw new IllegalArgumentException(
                        kind + " field " + i + " (" + f + ") is a source of the wrong family for " + family);
            }
        }
    }

    /** True for an IPv6 frame. */
    public boolean isIpv6() {
        return Checksums.isIpv6(template);
    }

    /** Where TCP/UDP starts. */
    public int l4Offset() {
        return Checksums.l4Offset(template);
    }

    private static boolean overlaps(FrameField f, int offset, int length) {
        return f.offset() < offset + length && offset < f.offset() + f.length();
    }

    /** The template (a copy): every packet is this frame with its fields rewritten. */
    @Override
    public byte[] template() {
        return template.clone();
    }

    public int frameLength() {
        return template.length;
    }

    /** Offset of the TCP or UDP checksum field. */
    public int l4ChecksumOffset() {
        return Checksums.l4ChecksumOffset(template);
    }

    public boolean isUdp() {
        return Checksums.protocol(template) == Checksums.PROTOCOL_UDP;
    }

    /** Even offsets of the 16-bit words some field writes to, in order. */
    public SortedSet<Integer> changingWords() {
        SortedSet<Integer> words = new TreeSet<>();
        for (FrameField f : fields) {
            for (int b = f.offset(); b < f.offset() + f.length(); b++) {
                words.add(b & ~1);
            }
        }
        return words;
    }

    /** Changing words inside the IPv4 header (bytes 14–33); none for IPv6, which has no header checksum. */
    public SortedSet<Integer> changingIpWords() {
        return isIpv6() ? new TreeSet<>() : changingWords().subSet(Checksums.IP_OFFSET, Checksums.L4_OFFSET);
    }

    /**
     * Changing words the TCP/UDP checksum covers: the source and destination addresses of the
     * pseudo-header (bytes 26–33) and everything from byte 34.
     */
    public SortedSet<Integer> changingL4Words() {
        int addresses = Checksums.sourceOffset(template);
        SortedSet<Integer> words = new TreeSet<>(changingWords().subSet(addresses, l4Offset()));
        words.addAll(changingWords().tailSet(l4Offset()));
        return words;
    }

    /** Sum of the IPv4 header's words that no field changes, the checksum counted as zero; 0 for IPv6 (no header checksum). */
    public long constantIpSum() {
        if (isIpv6()) {
            return 0;
        }
        byte[] frame = withoutChangingWords();
        frame[Checksums.IP_OFFSET + 10] = 0;
        frame[Checksums.IP_OFFSET + 11] = 0;
        return Checksums.sumWords(frame, Checksums.IP_OFFSET, Checksums.L4_OFFSET);
    }

    /** Sum of the pseudo-header's and segment's words that no field changes, the checksum counted as zero. */
    public long constantL4Sum() {
        byte[] frame = withoutChangingWords();
        int at = l4ChecksumOffset();
        frame[at] = 0;
        frame[at + 1] = 0;
        // The pseudo-header comes from the template (a changing TTL shares its word with the
        // protocol), minus the changing address words, which the program adds from the packet.
        byte[] pseudo = Checksums.pseudoHeader(template);
        int addresses = Checksums.sourceOffset(template);
        for (int word : changingWords().subSet(addresses, l4Offset())) {
            int i = word - addresses;
            pseudo[i] = 0;
            pseudo[i + 1] = 0;
        }
        return Checksums.sumWords(pseudo, 0, pseudo.length) + Checksums.sumWords(frame, l4Offset(), frame.length);
    }

    private byte[] withoutChangingWords() {
        byte[] frame = template.clone();
        for (int word : changingWords()) {
            frame[word] = 0;
            if (word + 1 < frame.length) {
                frame[word + 1] = 0;
            }
        }
        return frame;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameRecipe r
                && r.kind == kind
                && Arrays.equals(r.template, template)
                && r.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + Arrays.hashCode(template)) * 31 + fields.hashCode();
    }

    @Override
    public String toString() {
        return "FrameRecipe[" + kind + ", " + template.length + "-byte frames, " + fields.size() + " random fields]";
    }
}

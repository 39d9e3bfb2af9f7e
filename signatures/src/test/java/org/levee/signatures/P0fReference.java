package org.levee.signatures;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.levee.signatures.P0fSignature.Version;
import org.levee.signatures.P0fSignature.Window;

/**
 * p0f v3's reading of a SYN and its exact (non-fuzzy) matching, written straight from p0f's
 * description in plain Java over the packet's bytes: the reference the generated filters are
 * tested against. Nothing here is shared with the generator.
 */
final class P0fReference {
    private P0fReference() {}

    /** What p0f extracts from a packet. */
    record Fingerprint(
            boolean ipv6,
            int ttl,
            int ipOptions,
            int ipId,
            long seq,
            int window,
            int mss,
            int wscale,
            long ts1,
            List<Integer> layout,
            int eolPadding,
            Set<P0fQuirk> quirks,
            int payload,
            int totalHeader) {}

    /** The fingerprint of an Ethernet frame, or null if p0f would not fingerprint it as a SYN. */
    static Fingerprint read(byte[] frame) {
        ByteBuffer p = ByteBuffer.wrap(frame);
        if (frame.length < 14) {
            return null;
        }
        int l3 = 14;
        int ethertype = p.getShort(12) & 0xffff;
        if (ethertype == 0x8100 || ethertype == 0x88a8) {
            if (frame.length < 18) {
                return null;
            }
            ethertype = p.getShort(16) & 0xffff;
            l3 = 18;
        }
        int captured = frame.length - l3;
        Set<P0fQuirk> quirks = EnumSet.noneOf(P0fQuirk.class);
        boolean ipv6;
        int ttl;
        int ipHeader;
        int packetLength;
        int ipOptions;
        int ipId = 0;
        if (captured < 40) {
            return null;
        }
        int version = (frame[l3] & 0xff) >> 4;
        if (ethertype == 0x0800 && version == 4) {
            ipv6 = false;
            ipHeader = (frame[l3] & 0x0f) * 4;
            int total = p.getShort(l3 + 2) & 0xffff;
            int flags = p.getShort(l3 + 6) & 0xffff;
            packetLength = Math.min(captured, total);
            if (packetLength < 40 || ipHeader < 20 || total > captured || ipHeader + 20 > packetLength) {
                return null;
            }
            if (frame[l3 + 9] != 6 || (flags & 0x3fff) != 0) {
                return null;
            }
            ipOptions = ipHeader - 20;
            ttl = frame[l3 + 8] & 0xff;
            ipId = p.getShort(l3 + 4) & 0xffff;
            if ((frame[l3 + 1] & 0x03) != 0) {
                quirks.add(P0fQuirk.ECN);
            }
            if ((flags & 0x8000) != 0) {
                quirks.add(P0fQuirk.MUST_BE_ZERO);
            }
            if ((flags & 0x4000) != 0) {
                quirks.add(P0fQuirk.DF);
                if (ipId != 0) {
                    quirks.add(P0fQuirk.NONZERO_ID);
                }
            } else if (ipId == 0) {
                quirks.add(P0fQuirk.ZERO_ID);
            }
        } else if (ethertype == 0x86dd && version == 6) {
            ipv6 = true;
            ipHeader = 40;
            int total = (p.getShort(l3 + 4) & 0xffff) + 40;
            packetLength = Math.min(captured, total);
            if (packetLength < 60 || total > captured || frame[l3 + 6] != 6) {
                return null;
            }
            ipOptions = 0;
            ttl = frame[l3 + 7] & 0xff;
            int first = p.getInt(l3);
            if ((first & 0xfffff) != 0) {
                quirks.add(P0fQuirk.FLOW);
            }
            if (((first >>> 20) & 0x03) != 0) {
                quirks.add(P0fQuirk.ECN);
            }
        } else {
            return null;
        }
        int tcp = l3 + ipHeader;
        int segment = packetLength - ipHeader;
        int header = ((frame[tcp + 12] & 0xff) >> 4) * 4;
        if (header < 20 || header > segment) {
            return null;
        }
        int flags = frame[tcp + 13] & 0xff;
        if ((flags & (0x02 | 0x10 | 0x04 | 0x01)) != 0x02) {
            return null; // not a SYN without ACK, RST, FIN
        }
        if ((flags & 0xc0) != 0 || (frame[tcp + 12] & 0x01) != 0) {
            quirks.add(P0fQuirk.ECN);
        }
        long seq = p.getInt(tcp + 4) & 0xffffffffL;
        if (seq == 0) {
            quirks.add(P0fQuirk.ZERO_SEQ);
        }
        if (p.getInt(tcp + 8) != 0) {
            quirks.add(P0fQuirk.NONZERO_ACK);
        }
        if ((flags & 0x20) != 0) {
            quirks.add(P0fQuirk.URGENT);
        } else if (p.getShort(tcp + 18) != 0) {
            quirks.add(P0fQuirk.NONZERO_URGENT);
        }
        if ((flags & 0x08) != 0) {
            quirks.add(P0fQuirk.PUSH);
        }
        int window = p.getShort(tcp + 14) & 0xffff;

        // Options, as p0f walks them.
        int at = tcp + 20;
        int end = tcp + header;
        List<Integer> layout = new ArrayList<>();
        int eolPadding = 0;
        int mss = 0;
        int wscale = 0;
        long ts1 = 0;
        boolean aborted = false;
        walk:
        while (at < end && layout.size() < P0fSignature.MAX_OPTIONS) {
            int kind = frame[at] & 0xff;
            layout.add(kind);
            at++;
            switch (kind) {
                case 0 -> {
                    eolPadding = end - at;
                    for (int i = at; i < end; i++) {
                        if (frame[i] != 0) {
                            quirks.add(P0fQuirk.OPTIONS_PAST_EOL);
                        }
                    }
                    at = end;
                }
                case 1 -> {}
                case 2, 3, 4, 8 -> {
                    int size = switch (kind) {
                        case 2 -> 4;
                        case 3 -> 3;
                        case 4 -> 2;
                        default -> 10;
                    };
                    if (at + size - 1 > end) {
                        aborted = true;
                        break walk;
                    }
                    if ((frame[at] & 0xff) != size) {
                        quirks.add(P0fQuirk.BAD_OPTIONS);
                    }
                    if (kind == 2) {
                        mss = p.getShort(at + 1) & 0xffff;
                    } else if (kind == 3) {
                        wscale = frame[at + 1] & 0xff;
                        if (wscale > 14) {
                            quirks.add(P0fQuirk.EXCESSIVE_WSCALE);
                        }
                    } else if (kind == 8) {
                        ts1 = p.getInt(at + 1) & 0xffffffffL;
                        if (ts1 == 0) {
                            quirks.add(P0fQuirk.ZERO_TS1);
                        }
                        if (p.getInt(at + 5) != 0) {
                            quirks.add(P0fQuirk.NONZERO_TS2);
                        }
                    }
                    at += size - 1;
                }
                default -> {
                    int min = kind == 5 ? 10 : 2;
                    int max = kind == 5 ? 34 : 40;
                    if (at == end) {
                        aborted = true;
                        break walk;
                    }
                    int length = frame[at] & 0xff;
                    if (length < min || length > max || at - 1 + length > end) {
                        aborted = true;
                        break walk;
                    }
                    at += length - 1;
                }
            }
        }
        if (aborted || at != end) {
            quirks.add(P0fQuirk.BAD_OPTIONS);
        }
        return new Fingerprint(
                ipv6,
                ttl,
                ipOptions,
                ipId,
                seq,
                window,
                mss,
                wscale,
                ts1,
                List.copyOf(layout),
                eolPadding,
                quirks,
                segment - header,
                ipHeader + header);
    }

    /** True when p0f would match {@code fp} with {@code sig} exactly. */
    static boolean matches(P0fSignature sig, Fingerprint fp) {
        if (fp == null) {
            return false;
        }
        if ((sig.version() == Version.IPV4 && fp.ipv6()) || (sig.version() == Version.IPV6 && !fp.ipv6())) {
            return false;
        }
        Set<P0fQuirk> wanted = EnumSet.noneOf(P0fQuirk.class);
        wanted.addAll(sig.quirks());
        wanted.remove(P0fQuirk.LINUX);
        if (fp.ipv6()) {
            wanted.removeIf(P0fQuirk::ipv4Only);
        } else {
            wanted.remove(P0fQuirk.FLOW);
        }
        if (!wanted.equals(fp.quirks())) {
            return false;
        }
        if (sig.hasQuirk(P0fQuirk.LINUX) && !fp.ipv6() && fp.ipId() != ((fp.seq() ^ fp.ts1()) & 0xffff)) {
            return false;
        }
        if (sig.eolPadding() != fp.eolPadding()
                || sig.ipOptions() != fp.ipOptions()
                || !sig.layout().equals(fp.layout())) {
            return false;
        }
        int n = sig.initialTtl();
        if (fp.ttl() > n || (!sig.randomTtl() && n - fp.ttl() >= 35)) {
            return false;
        }
        if (sig.mss().isPresent() && sig.mss().getAsInt() != fp.mss()) {
            return false;
        }
        if (sig.scale().isPresent() && sig.scale().getAsInt() != fp.wscale()) {
            return false;
        }
        switch (sig.payload()) {
            case ZERO -> {
                if (fp.payload() != 0) {
                    return false;
                }
            }
            case NONZERO -> {
                if (fp.payload() == 0) {
                    return false;
                }
            }
            case ANY -> {}
        }
        return switch (sig.window()) {
            case Window.Any ignored -> true;
            case Window.Fixed fixed -> fp.window() == fixed.size();
            case Window.Multiple multiple -> fp.window() % multiple.divisor() == 0;
            case Window.MssTimes times -> {
                int[] multiple = windowMultiple(fp);
                yield multiple != null && multiple[0] == 0 && multiple[1] == times.factor();
            }
            case Window.MtuTimes times -> {
                int[] multiple = windowMultiple(fp);
                yield multiple != null && multiple[0] == 1 && multiple[1] == times.factor();
            }
        };
    }

    /** p0f's guess of what the window is a multiple of: {0 = MSS or 1 = MTU, factor}, or null. */
    static int[] windowMultiple(Fingerprint fp) {
        int win = fp.window();
        int mss = fp.mss();
        if (win == 0 || mss < 100) {
            return null;
        }
        List<int[]> divisors = new ArrayList<>();
        divisors.add(new int[] {mss, 0});
        if (fp.ts1() != 0) {
            divisors.add(new int[] {mss - 12, 0});
        }
        divisors.add(new int[] {1460, 0});
        divisors.add(new int[] {1448, 0});
        if (fp.ipv6()) {
            divisors.add(new int[] {1440, 0});
            divisors.add(new int[] {1428, 0});
        }
        divisors.add(new int[] {mss + 40, 1});
        divisors.add(new int[] {mss + fp.totalHeader(), 1});
        if (fp.ipv6()) {
            divisors.add(new int[] {mss + 60, 1});
        }
        divisors.add(new int[] {1500, 1});
        for (int[] divisor : divisors) {
            if (win % divisor[0] == 0) {
                return new int[] {divisor[1], win / divisor[0]};
            }
        }
        return null;
    }
}

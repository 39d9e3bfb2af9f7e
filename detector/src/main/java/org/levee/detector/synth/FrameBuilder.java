package org.levee.detector.synth;

import java.io.ByteArrayOutputStream;
import org.levee.rules.IpAddress;

/**
 * Builds Ethernet frames with realistic headers: optional 802.1Q tag, IPv4 (options, DF,
 * fragments, checksum) or IPv6 (optional fragment header), and TCP, UDP or ICMP. Every field has
 * a plain default, so a test sets only what it cares about.
 */
public final class FrameBuilder {

    private int vlan = -1;
    private IpAddress source = IpAddress.parse("192.0.2.1");
    private IpAddress destination = IpAddress.parse("203.0.113.10");
    private int ttl = 64;
    private int ipId;
    private boolean dontFragment;
    private byte[] ipOptions = new byte[0];
    private int fragmentOffset;
    private boolean moreFragments;
    private boolean ipv6FragmentHeader;
    private int protocol = 17;
    private byte[] transport = new byte[0];

    /** An IPv4 UDP frame from 192.0.2.1 to 203.0.113.10, TTL 64, without payload, until told otherwise. */
    public FrameBuilder() {}

    public FrameBuilder vlan(int id) {
        this.vlan = id;
        return this;
    }

    public FrameBuilder addresses(IpAddress source, IpAddress destination) {
        if (source.version() != destination.version()) {
            throw new IllegalArgumentException("mixed IP versions");
        }
        this.source = source;
        this.destination = destination;
        return this;
    }

    public FrameBuilder ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    public FrameBuilder ipId(int id) {
        this.ipId = id;
        return this;
    }

    public FrameBuilder dontFragment(boolean df) {
        this.dontFragment = df;
        return this;
    }

    /** IPv4 options, padded to a multiple of 4 bytes with end-of-list. */
    public FrameBuilder ipOptions(byte[] options) {
        int padded = (options.length + 3) / 4 * 4;
        this.ipOptions = java.util.Arrays.copyOf(options, padded);
        return this;
    }

    /** A fragment: offset in 8-byte units; IPv6 gets a fragment header. */
    public FrameBuilder fragment(int offsetUnits, boolean more) {
        this.fragmentOffset = offsetUnits;
        this.moreFragments = more;
        this.ipv6FragmentHeader = true;
        return this;
    }

    public FrameBuilder tcp(
            int sourcePort, int destinationPort, int flags, int window, byte[] options, byte[] payload) {
        int optionsLength = (options.length + 3) / 4 * 4;
        int headerLength = 20 + optionsLength;
        byte[] t = new byte[headerLength + payload.length];
        put16(t, 0, sourcePort);
        put16(t, 2, destinationPort);
        put32(t, 4, 0x1000_0000 ^ sourcePort * 7919); // sequence number: any
        put32(t, 8, (flags & 0x10) != 0 ? 0x2000_0000 ^ destinationPort * 104729 : 0);
        t[12] = (byte) ((headerLength / 4) << 4);
        t[13] = (byte) flags;
        put16(t, 14, window);
        System.arraycopy(options, 0, t, 20, options.length);
        System.arraycopy(payload, 0, t, headerLength, payload.length);
        this.protocol = 6;
        this.transport = t;
        return this;
    }

    public FrameBuilder udp(int sourcePort, int destinationPort, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        put16(u, 0, sourcePort);
        put16(u, 2, destinationPort);
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        this.protocol = 17;
        this.transport = u;
        return this;
    }

    public FrameBuilder icmp(int type, int code, byte[] payload) {
        byte[] i = new byte[8 + payload.length];
        i[0] = (byte) type;
        i[1] = (byte) code;
        System.arraycopy(payload, 0, i, 8, payload.length);
        this.protocol = source.version() == 4 ? 1 : 58;
        this.transport = i;
        return this;
    }

    /** Any other protocol with raw bytes as its payload (e.g. the rest of a fragmented datagram). */
    public FrameBuilder raw(int protocol, byte[] payload) {
        this.protocol = protocol;
        this.transport = payload.clone();
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02});
        if (vlan >= 0) {
            out.writeBytes(new byte[] {(byte) 0x81, 0x00, (byte) (vlan >>> 8), (byte) vlan});
        }
        if (source.version() == 4) {
            out.writeBytes(new byte[] {0x08, 0x00});
            int headerLength = 20 + ipOptions.length;
            byte[] ip = new byte[headerLength];
            ip[0] = (byte) (0x40 | headerLength / 4);
            put16(ip, 2, headerLength + transport.length);
            put16(ip, 4, ipId);
            put16(ip, 6, (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset);
            ip[8] = (byte) ttl;
            ip[9] = (byte) protocol;
            System.arraycopy(source.toBytes(), 0, ip, 12, 4);
            System.arraycopy(destination.toBytes(), 0, ip, 16, 4);
            System.arraycopy(ipOptions, 0, ip, 20, ipOptions.length);
            int sum = 0;
            for (int i = 0; i < headerLength; i += 2) {
                sum += ((ip[i] & 0xff) << 8) | (ip[i + 1] & 0xff);
            }
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
            put16(ip, 10, ~sum & 0xffff);
            out.writeBytes(ip);
        } else {
            out.writeBytes(new byte[] {(byte) 0x86, (byte) 0xdd});
            byte[] ip = new byte[40];
            ip[0] = 0x60;
            int extension = ipv6FragmentHeader ? 8 : 0;
            put16(ip, 4, extension + transport.length);
            ip[6] = (byte) (ipv6FragmentHeader ? 44 : protocol);
            ip[7] = (byte) ttl;
            System.arraycopy(source.toBytes(), 0, ip, 8, 16);
            System.arraycopy(destination.toBytes(), 0, ip, 24, 16);
            out.writeBytes(ip);
            if (ipv6FragmentHeader) {
                byte[] fragment = new byte[8];
                fragment[0] = (byte) protocol;
                put16(fragment, 2, (fragmentOffset << 3) | (moreFragments ? 1 : 0));
                put32(fragment, 4, ipId);
                out.writeBytes(fragment);
            }
        }
        out.writeBytes(transport);
        return out.toByteArray();
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

package org.levee.detector.synth;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.rules.IpAddress;

/**
 * Kinds of traffic, legitimate and hostile, with the headers real stacks and real attack tools
 * put on the wire. Sources and clients use the documentation networks 192.0.2.0/24 and
 * 198.51.100.0/24 (and 2001:db8:1::/48 for IPv6); victims live in 203.0.113.0/24 and
 * 2001:db8:ffff::/48.
 */
public final class Traffic {

    private Traffic() {}

    /** Names legitimate clients look up: none under the zones the attacks use. */
    public static final List<String> NAMES = List.of(
            "www.example.com",
            "api.example.com",
            "cdn.example.com",
            "mail.example.com",
            "static.example.com",
            "img.example.com",
            "login.example.com",
            "www.example.org",
            "docs.example.org",
            "git.example.org",
            "ftp.example.org",
            "ns1.example.org",
            "www.example.net",
            "shop.example.net",
            "blog.example.net",
            "m.example.net",
            "time.example.net",
            "vpn.example.net",
            "metrics.example.com",
            "auth.example.org",
            "a.b.example.com",
            "video.example.com",
            "news.example.org",
            "chat.example.net");

    private static final int[] LINUX_SYN = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    private static final int[] WINDOWS_SYN = {2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
    private static final int[] MAC_SYN = {2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 4, 2, 0, 0};
    private static final int[] TIMESTAMPS = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};

    /** A random client or reflector address from the documentation networks. */
    public static IpAddress randomSource(SplittableRandom r, int version) {
        if (version == 6) {
            return IpAddress.ipv6(0x2001_0db8_0001_0000L | r.nextInt(0x10000), r.nextLong());
        }
        int network = r.nextBoolean() ? 0xc0000200 : 0xc6336400; // 192.0.2.0, 198.51.100.0
        return IpAddress.ipv4(network | r.nextInt(256));
    }

    private static byte[] bytes(int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static int ephemeral(SplittableRandom r) {
        return 32768 + r.nextInt(28232);
    }

    // ---------------------------------------------------------------- legitimate traffic

    /** Web clients (Linux, Windows, macOS stacks) talking HTTPS/HTTP to {@code server}. */
    public static PacketFactory webClients(IpAddress server) {
        return r -> {
            int os = r.nextInt(100);
            boolean windows = os >= 50 && os < 85;
            boolean mac = os >= 85;
            int hops = 5 + r.nextInt(20);
            int ttl = (windows ? 128 : 64) - hops;
            int port = r.nextInt(10) == 0 ? 80 : 443;
            int kind = r.nextInt(100);
            int flags;
            byte[] options;
            int window;
            byte[] payload = new byte[0];
            if (kind < 6) {
                flags = 0x02;
                options = bytes(windows ? WINDOWS_SYN : mac ? MAC_SYN : LINUX_SYN);
                window = mac ? 65535 : 64240;
            } else {
                flags = kind < 8 ? 0x04 : kind < 13 ? 0x11 : kind < 68 ? 0x10 : 0x18;
                options = windows ? new byte[0] : bytes(TIMESTAMPS);
                window = windows ? 1024 + r.nextInt(64000) : 500 + r.nextInt(1500);
                if (flags == 0x18) {
                    payload = port == 80
                            ? ("GET /page/" + r.nextInt(1000) + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII)
                            : tls(r);
                }
            }
            return new FrameBuilder()
                    .addresses(randomSource(r, server.version()), server)
                    .ttl(ttl)
                    .ipId(r.nextInt(65536))
                    .dontFragment(true)
                    .tcp(ephemeral(r), port, flags, window, options, payload)
                    .build();
        };
    }

    private static byte[] tls(SplittableRandom r) {
        byte[] record = new byte[40 + r.nextInt(1200)];
        r.nextBytes(record);
        record[0] = 0x17;
        record[1] = 0x03;
        record[2] = 0x03;
        FrameBuilder.put16(record, 3, record.length - 5);
        return record;
    }

    /** Answers from the recursive resolvers {@code client} asks (UDP from port 53). */
    public static PacketFactory resolverResponses(IpAddress client) {
        return r -> {
            String name = NAMES.get(r.nextInt(NAMES.size()));
            int answers = 1 + r.nextInt(4);
            byte[] dns = DnsMessages.response(r.nextInt(65536), name, 1, answers, answers * 16, r);
            IpAddress resolver = client.version() == 4
                    ? IpAddress.ipv4(0xc0000235 + r.nextInt(2)) // 192.0.2.53, .54
                    : IpAddress.ipv6(0x2001_0db8_0001_0053L, 53 + r.nextInt(2));
            return new FrameBuilder()
                    .addresses(resolver, client)
                    .ttl(60 + r.nextInt(3))
                    .ipId(r.nextInt(65536))
                    .dontFragment(r.nextBoolean())
                    .udp(53, ephemeral(r), dns)
                    .build();
        };
    }

    /** NTP server replies to {@code client}'s time queries. */
    public static PacketFactory ntpResponses(IpAddress client) {
        return r -> {
            byte[] ntp = new byte[48];
            r.nextBytes(ntp);
            ntp[0] = 0x24; // LI 0, version 4, mode 4 (server)
            ntp[1] = (byte) (1 + r.nextInt(3));
            ntp[2] = (byte) (6 + r.nextInt(5));
            ntp[3] = (byte) (0xe7 + r.nextInt(6));
            IpAddress server = client.version() == 4
                    ? IpAddress.ipv4(0xc633647b + r.nextInt(4))
                    : IpAddress.ipv6(0x2001_0db8_0001_0123L, 123 + r.nextInt(4));
            return new FrameBuilder()
                    .addresses(server, client)
                    .ttl(50 + r.nextInt(10))
                    .ipId(r.nextInt(65536))
                    .dontFragment(true)
                    .udp(123, r.nextBoolean() ? 123 : ephemeral(r), ntp)
                    .build();
        };
    }

    /** Resolvers querying the authoritative server {@code server} for names of other zones. */
    public static PacketFactory dnsQueries(IpAddress server) {
        return r -> {
            String name = NAMES.get(r.nextInt(NAMES.size()));
            byte[] dns = DnsMessages.query(r.nextInt(65536), name, r.nextInt(4) == 0 ? 28 : 1, r.nextInt(10) < 7);
            return new FrameBuilder()
                    .addresses(randomSource(r, server.version()), server)
                    .ttl(40 + r.nextInt(24))
                    .ipId(r.nextInt(65536))
                    .dontFragment(r.nextBoolean())
                    .udp(ephemeral(r), 53, dns)
                    .build();
        };
    }

    // ---------------------------------------------------------------- attacks

    /** A spoofed-source SYN flood from one tool: fixed TTL, window and options (MSS only), random ports and IDs. */
    public static PacketFactory synFlood(IpAddress victim) {
        byte[] mss = {2, 4, 5, (byte) 0xb4};
        return r -> new FrameBuilder()
                .addresses(randomSource(r, victim.version()), victim)
                .ttl(54)
                .ipId(r.nextInt(65536))
                .dontFragment(false)
                .tcp(1024 + r.nextInt(64512), 443, 0x02, 1024, mss, new byte[0])
                .build();
    }

    /** DNS amplification: open resolvers answering "ANY amp.example.org" to the spoofed victim. */
    public static PacketFactory dnsAmplification(IpAddress victim) {
        return r -> {
            int answerBytes = r.nextInt(10) < 6 ? 1300 : 1380;
            byte[] dns = DnsMessages.response(r.nextInt(65536), "amp.example.org", 255, 8, answerBytes, r);
            return new FrameBuilder()
                    .addresses(randomSource(r, victim.version()), victim)
                    .ttl(30 + r.nextInt(30))
                    .ipId(r.nextInt(65536))
                    .dontFragment(r.nextBoolean())
                    .udp(53, 1024 + r.nextInt(64512), dns)
                    .build();
        };
    }

    /** Memcached amplification: "VALUE" answers from port 11211, in numbered UDP frames. */
    public static PacketFactory memcachedAmplification(IpAddress victim) {
        return r -> {
            byte[] payload = new byte[1000 + r.nextInt(400)];
            r.nextBytes(payload);
            int sequence = r.nextInt(20);
            FrameBuilder.put16(payload, 0, 0x4141); // the request ID the attacker sent
            FrameBuilder.put16(payload, 2, sequence);
            FrameBuilder.put16(payload, 4, 20);
            FrameBuilder.put16(payload, 6, 0);
            System.arraycopy("VALUE a 0 ".getBytes(StandardCharsets.US_ASCII), 0, payload, 8, 10);
            return new FrameBuilder()
                    .addresses(randomSource(r, victim.version()), victim)
                    .ttl(40 + r.nextInt(20))
                    .ipId(r.nextInt(65536))
                    .dontFragment(r.nextBoolean())
                    .udp(11211, r.nextBoolean() ? 80 : 1024 + r.nextInt(64512), payload)
                    .build();
        };
    }

    /** A random-subdomain ("water torture") query flood for names under {@code zone}, via many resolvers. */
    public static PacketFactory randomSubdomain(IpAddress server, String zone) {
        return r -> {
            char[] label = new char[8 + r.nextInt(9)];
            for (int i = 0; i < label.length; i++) {
                label[i] = "abcdefghijklmnopqrstuvwxyz0123456789".charAt(r.nextInt(36));
            }
            byte[] dns = DnsMessages.query(r.nextInt(65536), new String(label) + "." + zone, 1, r.nextBoolean());
            return new FrameBuilder()
                    .addresses(randomSource(r, server.version()), server)
                    .ttl(40 + r.nextInt(24))
                    .ipId(r.nextInt(65536))
                    .dontFragment(r.nextBoolean())
                    .udp(1024 + r.nextInt(64512), 53, dns)
                    .build();
        };
    }

    /** A UDP flood to random ports: spoofed sources, fixed 512-byte zero payload and TTL. */
    public static PacketFactory udpFlood(IpAddress victim) {
        return r -> new FrameBuilder()
                .addresses(randomSource(r, victim.version()), victim)
                .ttl(47)
                .ipId(r.nextInt(65536))
                .udp(1024 + r.nextInt(64512), 1 + r.nextInt(65535), new byte[512])
                .build();
    }

    /** {@code traffic} with an 802.1Q tag of {@code vlan} after the Ethernet addresses, as a trunk port delivers it. */
    public static PacketFactory tagged(PacketFactory traffic, int vlan) {
        return r -> {
            byte[] frame = traffic.next(r);
            byte[] tagged = new byte[frame.length + 4];
            System.arraycopy(frame, 0, tagged, 0, 12);
            tagged[12] = (byte) 0x81;
            tagged[13] = 0x00;
            tagged[14] = (byte) (vlan >>> 8);
            tagged[15] = (byte) vlan;
            System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
            return tagged;
        };
    }

    /** An ACK flood: bare ACKs without options, fixed window and TTL, random ports. */
    public static PacketFactory ackFlood(IpAddress victim) {
        return r -> new FrameBuilder()
                .addresses(randomSource(r, victim.version()), victim)
                .ttl(60)
                .ipId(r.nextInt(65536))
                .tcp(1024 + r.nextInt(64512), r.nextBoolean() ? 443 : 80, 0x10, 512, new byte[0], new byte[0])
                .build();
    }

    /** Carpet bombing: NTP monlist amplification spread over every address of {@code network} (a /24). */
    public static PacketFactory carpetBombing(IpAddress network) {
        return r -> {
            byte[] monlist = new byte[440];
            r.nextBytes(monlist);
            monlist[0] = (byte) 0xd7; // response, more, version 2, mode 7 (private)
            monlist[1] = 0;
            monlist[2] = 3; // implementation XNTPD
            monlist[3] = 42; // request MON_GETLIST_1
            IpAddress target = IpAddress.ipv4((int) network.low() | r.nextInt(256));
            return new FrameBuilder()
                    .addresses(randomSource(r, 4), target)
                    .ttl(45 + r.nextInt(15))
                    .ipId(r.nextInt(65536))
                    .udp(123, 1024 + r.nextInt(64512), monlist)
                    .build();
        };
    }
}

package org.levee.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Ethernet frames of the traffic a controller benchmark samples: web clients (TCP to 443 from
 * many sources and stacks), DNS queries (UDP to 53 with a question), and a spoofed SYN flood from
 * one tool (fixed TTL, window and MSS option; random sources, ports and IP ids). IPv4, valid
 * headers and checksums; the addresses are the caller's.
 */
final class SyntheticFrames {
    private SyntheticFrames() {}

    private static final String[] NAMES = {"www.example.com", "mail.example.net", "api.example.org", "cdn.example.com"};

    /** A TCP segment of a web client to {@code server}:443. */
    static byte[] web(SplittableRandom r, int server) {
        int ttl = r.nextBoolean() ? 64 - r.nextInt(12) : 128 - r.nextInt(12);
        int flags = r.nextInt(10) == 0 ? 0x11 : 0x18; // FIN-ACK now and then, else PSH-ACK
        return tcp(
                r,
                randomSource(r),
                server,
                32768 + r.nextInt(28232),
                443,
                flags,
                ttl,
                500 + r.nextInt(65000),
                new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
                r.nextInt(1200));
    }

    /** A DNS query to {@code server}:53. */
    static byte[] dns(SplittableRandom r, int server) {
        String name = NAMES[r.nextInt(NAMES.length)];
        ByteBuffer q = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        q.putShort((short) r.nextInt(65536))
                .putShort((short) 0x0100)
                .putShort((short) 1)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            q.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        return udp(r, randomSource(r), server, 32768 + r.nextInt(28232), 53, 40 + r.nextInt(24), q.array());
    }

    /** One SYN of a spoofed flood on {@code victim}:80. */
    static byte[] synFlood(SplittableRandom r, int victim) {
        return tcp(
                r,
                randomSource(r),
                victim,
                1024 + r.nextInt(64512),
                80,
                0x02,
                54,
                1024,
                new byte[] {2, 4, 5, (byte) 0xb4},
                0);
    }

    private static int randomSource(SplittableRandom r) {
        // Anywhere but the destinations' 198.18.0.0/15.
        return (1 + r.nextInt(190)) << 24 | r.nextInt(1 << 24);
    }

    private static byte[] tcp(
            SplittableRandom r,
            int source,
            int destination,
            int sport,
            int dport,
            int flags,
            int ttl,
            int window,
            byte[] options,
            int payload) {
        int header = 20 + options.length;
        ByteBuffer l4 = ByteBuffer.allocate(header + payload);
        l4.putShort((short) sport)
                .putShort((short) dport)
                .putInt(r.nextInt())
                .putInt(flags == 0x02 ? 0 : r.nextInt())
                .put((byte) (header / 4 << 4))
                .put((byte) flags)
                .putShort((short) window)
                .putShort((short) 0)
                .putShort((short) 0)
                .put(options);
        return ipv4(source, destination, 6, ttl, r.nextInt(65536), l4.array());
    }

    private static byte[] udp(
            SplittableRandom r, int source, int destination, int sport, int dport, int ttl, byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short) sport)
                .putShort((short) dport)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0)
                .put(payload);
        return ipv4(source, destination, 17, ttl, r.nextInt(65536), l4.array());
    }

    private static byte[] ipv4(int source, int destination, int protocol, int ttl, int id, byte[] l4) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + l4.length);
        f.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        int ip = f.position();
        f.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + l4.length))
                .putShort((short) id)
                .putShort((short) 0x4000)
                .put((byte) ttl)
                .put((byte) protocol)
                .putShort((short) 0)
                .putInt(source)
                .putInt(destination);
        int sum = 0;
        for (int i = ip; i < ip + 20; i += 2) {
            sum += f.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        f.putShort(ip + 10, (short) ~sum);
        f.put(l4);
        return f.array();
    }
}

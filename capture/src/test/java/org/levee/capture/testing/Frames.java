package org.levee.capture.testing;

import java.nio.ByteBuffer;
import java.util.Random;

/** Ethernet frames for tests: IPv4 with UDP or TCP, documentation addresses, random payloads. */
public final class Frames {
    private Frames() {}

    public static final int UDP = 17;
    public static final int TCP = 6;

    /** An Ethernet + IPv4 + UDP/TCP frame from 192.0.2.1 to 192.0.2.2. */
    public static byte[] ipv4(int protocol, int srcPort, int dstPort, byte[] payload) {
        int l4 = protocol == TCP ? 20 : 8;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + l4 + payload.length))
                .putShort((short) 1)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) protocol)
                .putShort((short) 0)
                .put(new byte[] {(byte) 192, 0, 2, 1})
                .put(new byte[] {(byte) 192, 0, 2, 2});
        b.putShort((short) srcPort).putShort((short) dstPort);
        if (protocol == TCP) {
            b.putInt(1)
                    .putInt(0)
                    .putShort((short) 0x5002)
                    .putShort((short) 1024)
                    .putShort((short) 0)
                    .putShort((short) 0);
        } else {
            b.putShort((short) (8 + payload.length)).putShort((short) 0);
        }
        b.put(payload);
        return b.array();
    }

    /** A random UDP or TCP frame to one of a few ports, 0–1400 bytes of payload. */
    public static byte[] random(Random random) {
        int[] ports = {9, 10, 53, 80, random.nextInt(65536)};
        byte[] payload = new byte[random.nextInt(3) == 0 ? random.nextInt(1400) : random.nextInt(64)];
        random.nextBytes(payload);
        return ipv4(
                random.nextBoolean() ? UDP : TCP,
                1024 + random.nextInt(60000),
                ports[random.nextInt(ports.length)],
                payload);
    }
}

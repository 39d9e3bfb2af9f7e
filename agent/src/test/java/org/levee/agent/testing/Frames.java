package org.levee.agent.testing;

import java.nio.ByteBuffer;

/** Ethernet + IPv4 + UDP or TCP frames for samples (checksums left zero: the detector does not check them). */
public final class Frames {
    private Frames() {}

    /** A UDP frame from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort} with {@code payload} bytes. */
    public static byte[] udp4(byte[] src, int srcPort, byte[] dst, int dstPort, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + 8 + payload))
                .putShort((short) 1)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .put(src)
                .put(dst);
        b.putShort((short) srcPort)
                .putShort((short) dstPort)
                .putShort((short) (8 + payload))
                .putShort((short) 0);
        return b.array();
    }

    /**
     * A TCP SYN as Linux sends it (don't fragment; options MSS 1460, SACK permitted, timestamps,
     * NOP, window scale 7) from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort}.
     */
    public static byte[] syn4(byte[] src, int srcPort, byte[] dst, int dstPort, int ttl, int window, int ipId) {
        byte[] options = {2, 4, 5, (byte) 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + options.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + 20 + options.length))
                .putShort((short) ipId)
                .putShort((short) 0x4000)
                .put((byte) ttl)
                .put((byte) 6)
                .putShort((short) 0)
                .put(src)
                .put(dst);
        b.putShort((short) srcPort)
                .putShort((short) dstPort)
                .putInt(0x1234_5678)
                .putInt(0)
                .put((byte) (((20 + options.length) / 4) << 4))
                .put((byte) 0x02)
                .putShort((short) window)
                .putShort((short) 0)
                .putShort((short) 0)
                .put(options);
        return b.array();
    }

    public static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }
}

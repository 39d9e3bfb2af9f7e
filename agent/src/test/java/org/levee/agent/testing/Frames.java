package org.levee.agent.testing;

import java.nio.ByteBuffer;

/** Ethernet + IPv4 + UDP frames for samples (checksums left zero: the detector does not check them). */
public final class Frames {
    private Frames() {}

    /** A UDP frame from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort} with {@code payload} bytes. */
    public static byte[] udp4(byte[] src, int srcPort, byte[] dst, int dstPort, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0).put(src).put(dst);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    public static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }
}

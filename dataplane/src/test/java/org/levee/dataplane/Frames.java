package org.levee.dataplane;

import java.nio.ByteBuffer;

/** Ethernet + IPv4 + UDP/TCP frames for test runs. */
final class Frames {
    private Frames() {}

    static byte[] udp(String source, String destination, int sourcePort, int destinationPort, int payloadBytes) {
        return ipv4(17, source, destination, sourcePort, destinationPort, 8, payloadBytes);
    }

    static byte[] tcpSyn(String source, String destination, int sourcePort, int destinationPort) {
        return ipv4(6, source, destination, sourcePort, destinationPort, 20, 0);
    }

    private static byte[] ipv4(
            int protocol,
            String source,
            String destination,
            int sourcePort,
            int destinationPort,
            int l4Header,
            int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4Header + payloadBytes);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + l4Header + payloadBytes))
                .putShort((short) 1)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) protocol)
                .putShort((short) 0)
                .put(address(source))
                .put(address(destination));
        b.putShort((short) sourcePort).putShort((short) destinationPort);
        if (protocol == 17) {
            b.putShort((short) (8 + payloadBytes)).putShort((short) 0);
        } else {
            b.putInt(1)
                    .putInt(0)
                    .put((byte) 0x50)
                    .put((byte) 0x02)
                    .putShort((short) 64240)
                    .putInt(0);
        }
        return b.array();
    }

    private static byte[] address(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }
}

package org.levee.lab;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.levee.ebpf.netns.Netns;

/**
 * Sends an exact number of small UDP datagrams from inside a namespace at a steady, modest rate,
 * and says how many it sent: a stream whose every packet must show up in one rule's counter, so a
 * soak can check that no count is lost across program swaps.
 */
public final class MarkerStream {
    private MarkerStream() {}

    /**
     * Sends {@code count} datagrams of 8 bytes from port {@code sourcePort} in {@code namespace} to
     * {@code target}:{@code port} at {@code perSecond}; returns how many the socket accepted (all of
     * them, unless it failed).
     */
    public static long send(String namespace, InetAddress target, int sourcePort, int port, long count, long perSecond)
            throws Exception {
        return Netns.run(namespace, () -> {
            long sent = 0;
            try (DatagramSocket socket = new DatagramSocket(sourcePort)) {
                DatagramPacket packet = new DatagramPacket(new byte[8], 8, new InetSocketAddress(target, port));
                SteadyPace pace = new SteadyPace(perSecond);
                while (sent < count) {
                    if (pace.turn()) {
                        socket.send(packet);
                        sent++;
                    }
                }
            }
            return sent;
        });
    }
}

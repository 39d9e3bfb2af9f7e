package org.levee.sflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** Sends raw datagrams to a collector on loopback, as any agent would. */
public final class UdpSender implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress target;

    public UdpSender(InetSocketAddress target) {
        this.target = target;
        try {
            channel = DatagramChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(byte[] datagram) {
        try {
            int sent = channel.send(ByteBuffer.wrap(datagram), target);
            if (sent != datagram.length) {
                throw new IllegalStateException("sent " + sent + " of " + datagram.length + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

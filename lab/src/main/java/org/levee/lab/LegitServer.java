package org.levee.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.ebpf.netns.Netns;

/**
 * The service on the edge: a UDP socket in the edge's namespace that records every legitimate
 * request it receives in a {@link DeliveryLog} and answers it with an echo.
 */
final class LegitServer implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 4 << 20;

    private final DatagramChannel channel;
    private final DeliveryLog log;
    private final Thread thread;
    private final AtomicLong foreign = new AtomicLong();

    private LegitServer(DatagramChannel channel, DeliveryLog log) {
        this.channel = channel;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name("legit-server").unstarted(this::serve);
    }

    static LegitServer start(String namespace, InetSocketAddress address, DeliveryLog log) throws Exception {
        DatagramChannel channel = Netns.run(namespace, () -> {
            DatagramChannel c = DatagramChannel.open();
            c.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            return c.bind(address);
        });
        LegitServer server = new LegitServer(channel, log);
        server.thread.start();
        return server;
    }

    /** Datagrams that were not lab requests (e.g. a flood aimed at this port). */
    long foreign() {
        return foreign.get();
    }

    private void serve() {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                var request = LegitRequest.read(buffer);
                if (request.isEmpty() || !log.delivered(request.get().sequence())) {
                    foreign.incrementAndGet();
                    continue;
                }
                channel.send(buffer, from);
            }
        } catch (ClosedChannelException closed) {
            // close() ends the loop
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("legit server on " + channel + " failed", e);
        }
    }

    @Override
    public void close() throws Exception {
        channel.close();
        thread.join();
    }
}

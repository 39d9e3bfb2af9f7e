package org.levee.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.levee.ebpf.netns.Netns;

/**
 * The edge's TCP service (the port the SYN flood aims at): accepts connections, reads one
 * {@link LegitRequest}, records it as delivered, echoes it and closes. One virtual thread per
 * connection; the listening socket lives in the edge's namespace, and so do the accepted ones.
 */
final class LegitTcpServer implements AutoCloseable {
    static final int BACKLOG = 4096;
    static final int READ_TIMEOUT_MILLIS = 2000;

    private final ServerSocketChannel listener;
    private final DeliveryLog log;
    private final Thread acceptor;

    private LegitTcpServer(ServerSocketChannel listener, DeliveryLog log) {
        this.listener = listener;
        this.log = log;
        this.acceptor = Thread.ofPlatform().daemon().name("legit-tcp-server").unstarted(this::accept);
    }

    static LegitTcpServer start(String namespace, InetSocketAddress address, DeliveryLog log) throws Exception {
        ServerSocketChannel listener =
                Netns.run(namespace, () -> ServerSocketChannel.open().bind(address, BACKLOG));
        LegitTcpServer server = new LegitTcpServer(listener, log);
        server.acceptor.start();
        return server;
    }

    private void accept() {
        while (true) {
            SocketChannel connection;
            try {
                connection = listener.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                continue; // e.g. the client gave up before accept(): its request shows as lost
            }
            Thread.ofVirtual().start(() -> serve(connection));
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            Socket socket = connection.socket();
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            byte[] bytes = readRequest(socket.getInputStream());
            if (bytes == null) {
                return;
            }
            var request = LegitRequest.read(ByteBuffer.wrap(bytes));
            if (request.isPresent() && log.delivered(request.get().sequence())) {
                socket.getOutputStream().write(bytes);
            }
        } catch (IOException e) {
            // the client vanished or timed out: the log shows the request as unanswered
        }
    }

    private static byte[] readRequest(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(LegitRequest.SIZE);
        return bytes.length == LegitRequest.SIZE ? bytes : null;
    }

    @Override
    public void close() throws Exception {
        listener.close();
        acceptor.join();
    }
}

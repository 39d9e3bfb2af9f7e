package org.levee.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.levee.ebpf.netns.Netns;

/**
 * Legitimate TCP clients: at a steady rate, a new connection per request (what a SYN flood
 * hurts), from the client addresses in turn, each sending one {@link LegitRequest} and reading
 * the echo. A request counts as lost when the connection, the send or the answer times out.
 * Sockets are created in the clients' namespace; the rest runs on virtual threads.
 */
final class LegitTcpClients implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MILLIS = 1000;
    static final int READ_TIMEOUT_MILLIS = 1000;

    private final String namespace;
    private final List<InetAddress> sources;
    private final List<InetSocketAddress> servers;
    private final long requestsPerSecond;
    private final DeliveryLog log;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread scheduler;
    private volatile boolean sending = true;

    private LegitTcpClients(
            String namespace,
            List<? extends InetAddress> sources,
            List<InetSocketAddress> servers,
            long requestsPerSecond,
            DeliveryLog log) {
        this.namespace = namespace;
        this.sources = List.copyOf(sources);
        this.servers = List.copyOf(servers);
        this.requestsPerSecond = requestsPerSecond;
        this.log = log;
        this.scheduler = Thread.ofPlatform().daemon().name("legit-tcp-sender").unstarted(this::schedule);
    }

    /** Connections from each source address in turn, each to the server of its family among {@code servers}. */
    static LegitTcpClients start(
            String namespace,
            List<? extends InetAddress> sources,
            List<InetSocketAddress> servers,
            long requestsPerSecond,
            DeliveryLog log) {
        if (requestsPerSecond <= 0) {
            throw new IllegalArgumentException(
                    "legitimate TCP request rate must be positive, got " + requestsPerSecond);
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("legitimate TCP clients need at least one source address");
        }
        LegitTcpClients clients = new LegitTcpClients(namespace, sources, servers, requestsPerSecond, log);
        clients.scheduler.start();
        return clients;
    }

    private void schedule() {
        SteadyPace pace = new SteadyPace(requestsPerSecond);
        int turn = 0;
        while (sending) {
            if (!pace.turn()) {
                continue;
            }
            InetAddress source = sources.get(turn % sources.size());
            int client = turn++ % sources.size();
            int sequence = log.sent(System.nanoTime());
            requests.execute(() -> request(client, source, sequence));
        }
    }

    private void request(int client, InetAddress source, int sequence) {
        try (SocketChannel channel = Netns.run(namespace, () -> SocketChannel.open())) {
            Socket socket = channel.socket();
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(LegitTraffic.sameFamily(source, servers), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            ByteBuffer request = ByteBuffer.allocate(LegitRequest.SIZE);
            new LegitRequest(client, sequence).write(request);
            socket.getOutputStream().write(request.array());
            byte[] answer = socket.getInputStream().readNBytes(LegitRequest.SIZE);
            LegitRequest.read(ByteBuffer.wrap(answer))
                    .filter(r -> r.sequence() == sequence)
                    .ifPresent(r -> log.answered(sequence));
        } catch (IOException e) {
            // refused, timed out or reset: the log shows the request as lost or unanswered
        } catch (Exception e) {
            // entering the namespace failed (the lab is being removed): the request counts as lost
        }
    }

    void stopSending() {
        sending = false;
    }

    @Override
    public void close() throws Exception {
        sending = false;
        scheduler.join();
        requests.shutdown();
        if (!requests.awaitTermination(CONNECT_TIMEOUT_MILLIS + READ_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS)) {
            requests.shutdownNow();
        }
    }
}

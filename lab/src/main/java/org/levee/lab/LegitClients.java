package org.levee.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.levee.ebpf.netns.Netns;

/**
 * Legitimate clients in their namespace: one UDP socket per client address, a sender that
 * takes turns among them at a {@link SteadyPace}, and one reader per socket that records the answers.
 */
final class LegitClients implements AutoCloseable {
    private final List<DatagramChannel> channels;
    private final DeliveryLog log;
    private final long requestsPerSecond;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean sending = true;

    private LegitClients(List<DatagramChannel> channels, DeliveryLog log, long requestsPerSecond) {
        this.channels = channels;
        this.log = log;
        this.requestsPerSecond = requestsPerSecond;
    }

    /** One socket per source address, each connected to the server of its family among {@code servers}. */
    static LegitClients start(
            String namespace,
            List<? extends InetAddress> sources,
            List<InetSocketAddress> servers,
            long requestsPerSecond,
            DeliveryLog log)
            throws Exception {
        if (requestsPerSecond <= 0) {
            throw new IllegalArgumentException("legitimate request rate must be positive, got " + requestsPerSecond);
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("legitimate clients need at least one source address");
        }
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (InetAddress source : sources) {
                InetSocketAddress server = LegitTraffic.sameFamily(source, servers);
                channels.add(Netns.run(
                        namespace,
                        () -> DatagramChannel.open()
                                .bind(new InetSocketAddress(source, 0))
                                .connect(server)));
            }
        } catch (Exception e) {
            for (DatagramChannel c : channels) {
                c.close();
            }
            throw e;
        }
        LegitClients clients = new LegitClients(List.copyOf(channels), log, requestsPerSecond);
        for (int i = 0; i < channels.size(); i++) {
            DatagramChannel c = channels.get(i);
            clients.threads.add(
                    Thread.ofPlatform().daemon().name("legit-answers-" + i).start(() -> clients.readAnswers(c)));
        }
        clients.threads.add(Thread.ofPlatform().daemon().name("legit-sender").start(clients::send));
        return clients;
    }

    private void send() {
        SteadyPace pace = new SteadyPace(requestsPerSecond);
        ByteBuffer buffer = ByteBuffer.allocate(LegitRequest.SIZE);
        int turn = 0;
        while (sending) {
            if (!pace.turn()) {
                continue;
            }
            int client = turn++ % channels.size();
            int sequence = log.sent(System.nanoTime());
            buffer.clear();
            new LegitRequest(client, sequence).write(buffer);
            buffer.flip();
            try {
                channels.get(client).write(buffer);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // an ICMP error for an earlier request surfaced here: this one counts as lost
            }
        }
    }

    private void readAnswers(DatagramChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        while (true) {
            try {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                LegitRequest.read(buffer).ifPresent(r -> log.answered(r.sequence()));
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // an ICMP error for an earlier request: the loss shows in the log; keep reading
            }
        }
    }

    /** Stops sending; answers still in flight are still recorded until {@link #close()}. */
    void stopSending() {
        sending = false;
    }

    @Override
    public void close() throws Exception {
        sending = false;
        for (DatagramChannel c : channels) {
            c.close();
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}

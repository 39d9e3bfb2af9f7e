package org.levee.cli.lab;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Legitimate traffic for the demo: clients send UDP requests with sequence numbers at a steady
 * rate to a server on the edge, which answers each. The {@link DeliveryLog} tells, for any window
 * of send times, how many requests were sent, reached the server and were answered.
 */
public final class LegitTraffic implements AutoCloseable {
    /** The UDP port of the edge's service. */
    public static final int PORT = 9000;

    private final DeliveryLog log;
    private final LegitServer server;
    private final LegitClients clients;

    private LegitTraffic(DeliveryLog log, LegitServer server, LegitClients clients) {
        this.log = log;
        this.server = server;
        this.clients = clients;
    }

    /** Starts the server on the lab's edge and its clients, sending {@code requestsPerSecond} in all. */
    public static LegitTraffic start(DemoLab lab, long requestsPerSecond) throws Exception {
        return start(lab.edgeNamespace(), new InetSocketAddress(lab.edgeAddress(), PORT), lab.clientsNamespace(),
                lab.clientAddresses(), requestsPerSecond);
    }

    /** Starts a server at {@code server} in {@code serverNamespace} and one client per address of {@code clientAddresses}. */
    public static LegitTraffic start(String serverNamespace, InetSocketAddress server, String clientsNamespace,
                                     List<Inet4Address> clientAddresses, long requestsPerSecond) throws Exception {
        DeliveryLog log = new DeliveryLog();
        LegitServer legitServer = LegitServer.start(serverNamespace, server, log);
        try {
            return new LegitTraffic(log, legitServer, LegitClients.start(clientsNamespace, clientAddresses, server, requestsPerSecond, log));
        } catch (Exception e) {
            legitServer.close();
            throw e;
        }
    }

    public DeliveryLog log() {
        return log;
    }

    /** Counts of the requests sent in [{@code fromNanos}, {@code toNanos}) ({@link System#nanoTime()} values). */
    public DeliveryCounts window(long fromNanos, long toNanos) {
        return log.window(fromNanos, toNanos);
    }

    public DeliveryCounts total() {
        return log.total();
    }

    /** Datagrams at the service's port that were not lab requests. */
    public long foreignDatagrams() {
        return server.foreign();
    }

    /** Stops sending; the server keeps receiving and answering until {@link #close()}. */
    public void stopSending() {
        clients.stopSending();
    }

    @Override
    public void close() throws Exception {
        try {
            clients.close();
        } finally {
            server.close();
        }
    }
}

package org.levee.agent.fleet;

import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.levee.dataplane.Counters;
import org.levee.ebpf.netns.Netns;
import org.levee.sflow.GenericInterfaceCounters;

/**
 * The interface's counters as sFlow's generic interface counters record carries them, read from
 * the kernel in the interface's network namespace: {@code /proc/thread-self/net/dev} read by a
 * thread inside the namespace ({@code /sys/class/net} and {@code /proc/self/net} show the
 * namespaces of the process's mounts and of its main thread, not necessarily the interface's),
 * with the interface's up state from the same thread. Packets the XDP program dropped are added
 * to {@code ifInDiscards}: drivers count XDP drops in their own statistics, if at all.
 */
final class InterfaceCounters {
    private static final Path NET_DEV = Path.of("/proc/thread-self/net/dev");

    /** One line of /proc/net/dev. */
    record NetDev(
            long rxBytes,
            long rxPackets,
            long rxErrors,
            long rxDropped,
            long rxMulticast,
            long txBytes,
            long txPackets,
            long txErrors,
            long txDropped) {}

    private final String iface;
    private final String netns;
    private final int ifIndex;

    /**
     * @param iface the interface
     * @param netns its namespace, null for this process's
     * @param ifIndex its index (the sFlow data source)
     */
    InterfaceCounters(String iface, String netns, int ifIndex) {
        this.iface = iface;
        this.netns = netns;
        this.ifIndex = ifIndex;
    }

    /** The record for now, with the data plane's {@code totals}. */
    GenericInterfaceCounters read(Counters totals) throws Exception {
        Callable<GenericInterfaceCounters> read = () -> {
            NetDev dev = parse(Files.readString(NET_DEV), iface);
            NetworkInterface nic = NetworkInterface.getByName(iface);
            boolean up = nic != null && nic.isUp();
            return GenericInterfaceCounters.builder(ifIndex)
                    .ifStatus(up, up)
                    .inOctets(dev.rxBytes())
                    .inUnicastPackets(Math.max(0, dev.rxPackets() - dev.rxMulticast()))
                    .inMulticastPackets(dev.rxMulticast())
                    .inDiscards(dev.rxDropped() + totals.dropped() + totals.ratelimited())
                    .inErrors(dev.rxErrors())
                    .outOctets(dev.txBytes())
                    .outUnicastPackets(dev.txPackets())
                    .outDiscards(dev.txDropped())
                    .outErrors(dev.txErrors())
                    .build();
        };
        // Netns.run joins the namespace on a thread of its own; without one, this thread's is the process's
        return netns == null ? read.call() : Netns.run(netns, read);
    }

    /**
     * The counters of {@code iface} in the text of /proc/net/dev.
     *
     * @throws IOException when the interface has no line, or its line is not 16 numbers
     */
    static NetDev parse(String text, String iface) throws IOException {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).strip().equals(iface)) {
                continue;
            }
            String[] fields = line.substring(colon + 1).strip().split("\\s+");
            if (fields.length < 16) {
                throw new IOException(
                        "/proc/net/dev: the line of " + iface + " has " + fields.length + " fields, not 16");
            }
            long[] v = new long[16];
            try {
                for (int i = 0; i < 16; i++) {
                    v[i] = Long.parseUnsignedLong(fields[i]);
                }
            } catch (NumberFormatException e) {
                throw new IOException("/proc/net/dev: the line of " + iface + " is not numbers: " + line.strip(), e);
            }
            return new NetDev(v[0], v[1], v[2], v[3], v[7], v[8], v[9], v[10], v[11]);
        }
        throw new IOException("/proc/net/dev has no line for " + iface);
    }
}

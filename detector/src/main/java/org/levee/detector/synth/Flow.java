package org.levee.detector.synth;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * One kind of traffic in a scenario: packets from {@code packets} at {@code packetsPerSecond(t)}
 * between {@code startSeconds} and {@code endSeconds}, arriving in {@code datacenters}.
 *
 * @param name for messages
 * @param attack true for attack traffic
 */
public record Flow(
        String name,
        boolean attack,
        double startSeconds,
        double endSeconds,
        DoubleUnaryOperator packetsPerSecond,
        PacketFactory packets,
        List<String> datacenters) {

    public Flow {
        datacenters = List.copyOf(datacenters);
    }

    public static Flow steady(
            String name,
            boolean attack,
            double start,
            double end,
            double pps,
            PacketFactory packets,
            List<String> datacenters) {
        return new Flow(name, attack, start, end, t -> pps, packets, datacenters);
    }
}

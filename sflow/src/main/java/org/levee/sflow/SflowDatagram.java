package org.levee.sflow;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One sFlow version 5 datagram: an agent's header and its samples.
 *
 * @param agentAddress the agent's IPv4 or IPv6 address: who sampled, whatever address the datagram
 *     came from (an {@link Inet6Address} is always written as IPv6, even an IPv4-mapped one)
 * @param subAgentId tells apart the sub-agents of one agent (unsigned); each numbers its own
 *     datagrams
 * @param sequenceNumber counts this sub-agent's datagrams (unsigned 32 bits): a gap means lost
 *     datagrams
 * @param uptimeMillis the agent's uptime in milliseconds when it sent the datagram (unsigned 32
 *     bits, wraps after 49.7 days)
 * @param samples the samples, flow and counter ones in any order
 */
public record SflowDatagram(
        InetAddress agentAddress, int subAgentId, long sequenceNumber, long uptimeMillis, List<SflowSample> samples) {

    /** The only version this module reads and writes. */
    public static final int VERSION = 5;
    /** Agent address type: IPv4. */
    public static final int ADDRESS_IPV4 = 1;
    /** Agent address type: IPv6. */
    public static final int ADDRESS_IPV6 = 2;

    public SflowDatagram {
        Objects.requireNonNull(agentAddress, "sFlow datagram agent_address is null");
        if (!(agentAddress instanceof Inet4Address) && !(agentAddress instanceof Inet6Address)) {
            throw new IllegalArgumentException("sFlow agent_address " + agentAddress + " is neither IPv4 nor IPv6");
        }
        Unsigned.u32("datagram sequence_number", sequenceNumber);
        Unsigned.u32("uptime", uptimeMillis);
        samples = List.copyOf(samples);
    }

    /** The datagram's version: always {@value #VERSION}. */
    public int version() {
        return VERSION;
    }

    /** The flow samples, in datagram order. */
    public List<FlowSample> flowSamples() {
        return samples.stream()
                .filter(FlowSample.class::isInstance)
                .map(FlowSample.class::cast)
                .toList();
    }

    /** The counter samples, in datagram order. */
    public List<CounterSample> counterSamples() {
        return samples.stream()
                .filter(CounterSample.class::isInstance)
                .map(CounterSample.class::cast)
                .toList();
    }
}

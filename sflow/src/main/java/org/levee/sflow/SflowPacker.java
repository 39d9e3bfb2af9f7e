package org.levee.sflow;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Packs samples into as few datagrams as fit a size limit, in order, numbering the datagrams of
 * one sub-agent. The limit is the UDP payload: {@value #DEFAULT_MAX_DATAGRAM_SIZE} bytes (the
 * default) plus 8 bytes of UDP and 40 of IPv6 stay within a 1500-byte Ethernet MTU, so datagrams are
 * never fragmented. Not thread-safe.
 */
public final class SflowPacker {
    /** The default limit of a datagram's size: fits a 1500-byte MTU under IPv6 and UDP headers. */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 1400;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    private final InetAddress agentAddress;
    private final int subAgentId;
    private final int maxDatagramSize;
    private long nextSequenceNumber = 1;

    /**
     * @param agentAddress the agent address of every datagram
     * @param subAgentId the sub-agent id of every datagram
     * @param maxDatagramSize no datagram is larger (bytes of UDP payload); at least the header's size
     *     plus one sample's, at most {@value #MAX_UDP_PAYLOAD}
     */
    public SflowPacker(InetAddress agentAddress, int subAgentId, int maxDatagramSize) {
        this.agentAddress = Objects.requireNonNull(agentAddress, "agentAddress");
        this.subAgentId = subAgentId;
        if (maxDatagramSize <= SflowEncoder.headerSize(agentAddress) || maxDatagramSize > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maximum datagram size " + maxDatagramSize + " is outside "
                    + (SflowEncoder.headerSize(agentAddress) + 1) + ".." + MAX_UDP_PAYLOAD);
        }
        this.maxDatagramSize = maxDatagramSize;
    }

    /** The sequence number the next datagram gets (the first is 1). */
    public long nextSequenceNumber() {
        return nextSequenceNumber;
    }

    /**
     * Packs {@code samples} into datagrams of at most the limit, each with the next sequence number
     * and {@code uptimeMillis}. No samples, no datagrams.
     *
     * @throws IllegalArgumentException if one sample alone does not fit a datagram
     */
    public List<SflowDatagram> pack(List<? extends SflowSample> samples, long uptimeMillis) {
        int header = SflowEncoder.headerSize(agentAddress);
        List<SflowDatagram> datagrams = new ArrayList<>();
        List<SflowSample> current = new ArrayList<>();
        int size = header;
        for (int i = 0; i < samples.size(); i++) {
            SflowSample sample = samples.get(i);
            int sampleSize = SflowEncoder.encodedSize(sample);
            if (header + sampleSize > maxDatagramSize) {
                throw new IllegalArgumentException("sample " + i + " takes " + sampleSize + " bytes: with the " + header
                        + "-byte header it does not fit a datagram of at most " + maxDatagramSize + " bytes");
            }
            if (size + sampleSize > maxDatagramSize) {
                datagrams.add(datagram(current, uptimeMillis));
                current = new ArrayList<>();
                size = header;
            }
            current.add(sample);
            size += sampleSize;
        }
        if (!current.isEmpty()) {
            datagrams.add(datagram(current, uptimeMillis));
        }
        return datagrams;
    }

    private SflowDatagram datagram(List<SflowSample> samples, long uptimeMillis) {
        SflowDatagram datagram = new SflowDatagram(agentAddress, subAgentId, nextSequenceNumber, uptimeMillis, samples);
        nextSequenceNumber = (nextSequenceNumber + 1) & Unsigned.MAX_U32;
        return datagram;
    }
}

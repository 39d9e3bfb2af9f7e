package org.levee.sflow;

import java.net.InetAddress;

/**
 * The header of the datagram a {@link SflowDecoder} is visiting. One instance per decoder, refilled
 * for every datagram: valid only during the visitor's calls for that datagram; keep the values, not
 * the view.
 */
public final class DatagramView {
    InetAddress agentAddress;
    int subAgentId;
    long sequenceNumber;
    long uptimeMillis;
    int sampleCount;
    int length;

    DatagramView() {}

    /** The agent's address from the datagram's header (cached per address by the decoder: no allocation). */
    public InetAddress agentAddress() {
        return agentAddress;
    }

    /** The sub-agent id (unsigned). */
    public int subAgentId() {
        return subAgentId;
    }

    /** The sub-agent's datagram sequence number (unsigned 32 bits). */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** The agent's uptime in milliseconds (unsigned 32 bits). */
    public long uptimeMillis() {
        return uptimeMillis;
    }

    /**
     * How many samples the header says the datagram holds. During {@link SflowVisitor#datagram} the
     * count is not yet checked; once a sample is visited, it is.
     */
    public int sampleCount() {
        return sampleCount;
    }

    /** The datagram's length in bytes. */
    public int length() {
        return length;
    }
}

package org.levee.agent.dataplane;

/**
 * One sampled packet as the data plane delivers it.
 *
 * @param timestampNanos CLOCK_MONOTONIC time of the sample ({@code bpf_ktime_get_ns}, the clock of
 *     {@link System#nanoTime()} on Linux)
 * @param packetLength the packet's length on the wire
 * @param sampleRate N of "1 in N" when it was taken
 * @param packet its first bytes, from the Ethernet header
 */
public record PacketSample(long timestampNanos, int packetLength, int sampleRate, byte[] packet) {}

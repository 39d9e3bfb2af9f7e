package org.levee.rules;

import java.util.Objects;

/**
 * One sampled packet: a prefix of its bytes, its length on the wire, the sampling rate it was
 * taken at (1 in {@code samplingRate}), when, and where. The data plane decodes it once from the
 * ring buffer; the detector reads it as it is. It lives here, beside the rules, because both the
 * data plane and the detector need it and neither may depend on the other.
 *
 * @param packet the first bytes of the packet, starting at the Ethernet header (not copied: the
 *     caller hands ownership over, and nobody writes to it afterwards)
 * @param wireLength the packet's original length in bytes, at least {@code packet.length}
 * @param samplingRate N of "1 in N", at least 1; each sample stands for N packets
 * @param timestampNanos when the packet was sampled, nanoseconds on a monotonic clock shared by
 *     all samples of one detector (the data plane's is CLOCK_MONOTONIC, {@link System#nanoTime()}'s)
 * @param datacenter the data center that saw the packet
 * @param node the machine that sampled it
 */
public record Sample(
        byte[] packet, int wireLength, int samplingRate, long timestampNanos, String datacenter, String node) {

    public Sample {
        Objects.requireNonNull(packet, "sample field 'packet' is null");
        Objects.requireNonNull(datacenter, "sample field 'datacenter' is null");
        Objects.requireNonNull(node, "sample field 'node' is null");
        if (wireLength < packet.length) {
            throw new IllegalArgumentException("sample field 'wireLength' is " + wireLength + ", shorter than the "
                    + packet.length + " captured bytes");
        }
        if (samplingRate < 1) {
            throw new IllegalArgumentException(
                    "sample field 'samplingRate' is " + samplingRate + ", must be at least 1");
        }
        if (timestampNanos < 0) {
            throw new IllegalArgumentException(
                    "sample field 'timestampNanos' is " + timestampNanos + ", must not be negative");
        }
    }

    /** The same sample (the same bytes, not a copy) at another time. */
    public Sample withTimestamp(long nanos) {
        return new Sample(packet, wireLength, samplingRate, nanos, datacenter, node);
    }
}

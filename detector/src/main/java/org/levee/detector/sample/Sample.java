package org.levee.detector.sample;

import java.util.Objects;

/**
 * One packet sample as the data plane ships it: a prefix of the packet's bytes, the packet's
 * length on the wire, the sampling rate it was taken at (1 in {@code samplingRate}), when, and
 * where.
 *
 * @param packet the first bytes of the packet, starting at the Ethernet header (not copied: the
 *     caller hands ownership over)
 * @param wireLength the packet's original length in bytes, at least {@code packet.length}
 * @param samplingRate N of "1 in N", at least 1; each sample stands for N packets
 * @param timestampNanos when the packet was sampled, nanoseconds on a monotonic clock shared by
 *     all samples of one detector
 * @param datacenter the data center that saw the packet
 * @param node the machine that sampled it
 */
public record Sample(
        byte[] packet,
        int wireLength,
        int samplingRate,
        long timestampNanos,
        String datacenter,
        String node) {

    public Sample {
        Objects.requireNonNull(packet, "sample field 'packet' is null");
        Objects.requireNonNull(datacenter, "sample field 'datacenter' is null");
        Objects.requireNonNull(node, "sample field 'node' is null");
        if (wireLength < packet.length) {
            throw new IllegalArgumentException(
                    "sample field 'wireLength' is " + wireLength + ", shorter than the "
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
}

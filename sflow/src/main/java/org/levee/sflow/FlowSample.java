package org.levee.sflow;

import java.util.List;
import java.util.Objects;

/**
 * A flow sample: one sampled packet, described by its records (usually one {@link RawPacketHeader}).
 *
 * @param sequenceNumber counts the flow samples of this source id (unsigned 32 bits)
 * @param source the data source that sampled the packet
 * @param samplingRate N of "1 in N": each sample stands for N packets; at least 1
 * @param samplePool packets that could have been sampled so far (unsigned 32 bits, wraps)
 * @param drops samples lost so far for lack of resources (unsigned 32 bits, wraps)
 * @param input the interface the packet came in on
 * @param output the interface it went out of
 * @param records what is known of the packet
 * @param expanded written in the expanded format (3) rather than the compact one (1); the compact
 *     one needs {@link SourceId#fitsCompact()} and {@link InterfaceId#fitsCompact()}
 */
public record FlowSample(
        long sequenceNumber,
        SourceId source,
        long samplingRate,
        long samplePool,
        long drops,
        InterfaceId input,
        InterfaceId output,
        List<FlowRecord> records,
        boolean expanded)
        implements SflowSample {

    public FlowSample {
        Unsigned.u32("flow sample sequence_number", sequenceNumber);
        Objects.requireNonNull(source, "flow sample source_id is null");
        Unsigned.u32("sampling_rate", samplingRate);
        if (samplingRate == 0) {
            throw new IllegalArgumentException(
                    "sFlow field 'sampling_rate' is 0: a sample stands for at least 1 packet");
        }
        Unsigned.u32("sample_pool", samplePool);
        Unsigned.u32("drops", drops);
        Objects.requireNonNull(input, "flow sample input is null");
        Objects.requireNonNull(output, "flow sample output is null");
        records = List.copyOf(records);
        if (!expanded) {
            if (!source.fitsCompact()) {
                throw new IllegalArgumentException("flow sample source_id " + source
                        + " does not fit the compact format (class <= 255, index < 2^24): set expanded");
            }
            if (!input.fitsCompact() || !output.fitsCompact()) {
                throw new IllegalArgumentException("flow sample interfaces " + input + " / " + output
                        + " do not fit the compact format (format <= 3, value < 2^30): set expanded");
            }
        }
    }

    /**
     * The usual sample of a Levee edge: one Ethernet header, compact format, source = input = the
     * interface {@code ifIndex}, output unknown.
     */
    public static FlowSample ethernet(
            long sequenceNumber,
            int ifIndex,
            long samplingRate,
            long samplePool,
            long drops,
            byte[] header,
            long frameLength) {
        return new FlowSample(
                sequenceNumber,
                SourceId.ifIndex(ifIndex),
                samplingRate,
                samplePool,
                drops,
                InterfaceId.ifIndex(ifIndex),
                InterfaceId.UNKNOWN,
                List.of(RawPacketHeader.ethernet(header, frameLength)),
                false);
    }

    @Override
    public int format() {
        return expanded ? SflowFormats.FLOW_SAMPLE_EXPANDED : SflowFormats.FLOW_SAMPLE;
    }
}

package org.levee.sflow;

import java.util.List;
import java.util.Objects;

/**
 * A counter sample: a data source's counters at one moment (agents send one per interface every
 * polling interval, typically 10 to 30 s).
 *
 * @param sequenceNumber counts the counter samples of this source id (unsigned 32 bits)
 * @param source the data source the counters belong to
 * @param records the counters, usually one {@link GenericInterfaceCounters} and more specific ones
 * @param expanded written in the expanded format (4) rather than the compact one (2); the compact
 *     one needs {@link SourceId#fitsCompact()}
 */
public record CounterSample(long sequenceNumber, SourceId source, List<CounterRecord> records, boolean expanded)
        implements SflowSample {

    public CounterSample {
        Unsigned.u32("counter sample sequence_number", sequenceNumber);
        Objects.requireNonNull(source, "counter sample source_id is null");
        records = List.copyOf(records);
        if (!expanded && !source.fitsCompact()) {
            throw new IllegalArgumentException("counter sample source_id " + source
                    + " does not fit the compact format (class <= 255, index < 2^24): set expanded");
        }
    }

    /** The usual counter sample of a Levee edge: one interface's generic counters, compact format. */
    public static CounterSample of(long sequenceNumber, GenericInterfaceCounters counters) {
        return new CounterSample(sequenceNumber, SourceId.ifIndex(counters.ifIndex()), List.of(counters), false);
    }

    @Override
    public int format() {
        return expanded ? SflowFormats.COUNTER_SAMPLE_EXPANDED : SflowFormats.COUNTER_SAMPLE;
    }
}

package org.levee.sflow;

/** One record of a counter sample: generic interface counters, or a record of a format kept as its bytes. */
public sealed interface CounterRecord permits GenericInterfaceCounters, UnknownCounterRecord {
    /** The record's data format ({@link SflowFormats#GENERIC_INTERFACE_COUNTERS}, ...). */
    int format();
}

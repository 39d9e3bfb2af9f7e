package org.levee.sflow;

/** One sample of a datagram: a flow sample, a counter sample, or one of a format this module does not know. */
public sealed interface SflowSample permits FlowSample, CounterSample, UnknownSample {
    /** The sample's data format ({@link SflowFormats#FLOW_SAMPLE}, ...). */
    int format();
}

package org.levee.sflow;

/**
 * The flow sample a {@link SflowDecoder} is visiting: valid only during the visitor's calls for that
 * sample. Compact and expanded samples look the same here.
 */
public final class FlowSampleView {
    private final DatagramView datagram;
    int index;
    boolean expanded;
    long sequenceNumber;
    int sourceClass;
    int sourceIndex;
    long samplingRate;
    long samplePool;
    long drops;
    int inputFormat;
    int inputValue;
    int outputFormat;
    int outputValue;
    int recordCount;

    FlowSampleView(DatagramView datagram) {
        this.datagram = datagram;
    }

    /** The datagram the sample is in. */
    public DatagramView datagram() {
        return datagram;
    }

    /** The sample's index in its datagram (0 = first sample). */
    public int index() {
        return index;
    }

    /** True for the expanded format (3), false for the compact one (1). */
    public boolean expanded() {
        return expanded;
    }

    /** The source's flow sample sequence number (unsigned 32 bits). */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** The source id's class (0 = ifIndex). */
    public int sourceClass() {
        return sourceClass;
    }

    /** The source id's index (unsigned). */
    public int sourceIndex() {
        return sourceIndex;
    }

    /** N of "1 in N": each sample stands for this many packets; at least 1. */
    public long samplingRate() {
        return samplingRate;
    }

    /** Packets that could have been sampled (unsigned 32 bits). */
    public long samplePool() {
        return samplePool;
    }

    /** Samples the agent lost (unsigned 32 bits). */
    public long drops() {
        return drops;
    }

    /** The input interface's format (see {@link InterfaceId}). */
    public int inputFormat() {
        return inputFormat;
    }

    /** The input interface's value: its ifIndex for format 0. */
    public int inputValue() {
        return inputValue;
    }

    /** The output interface's format (see {@link InterfaceId}). */
    public int outputFormat() {
        return outputFormat;
    }

    /** The output interface's value. */
    public int outputValue() {
        return outputValue;
    }

    /** How many records the sample has. */
    public int recordCount() {
        return recordCount;
    }
}

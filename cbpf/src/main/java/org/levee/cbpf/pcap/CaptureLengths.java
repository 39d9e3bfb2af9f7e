package org.levee.cbpf.pcap;

/** The length rules both capture file writers enforce, with one wording for both formats. */
final class CaptureLengths {
    private CaptureLengths() {}

    /** {@code snaplen}, refused unless positive. */
    static int snaplen(int snaplen) {
        if (snaplen <= 0) {
            throw new IllegalArgumentException("snaplen must be positive, got " + snaplen);
        }
        return snaplen;
    }

    /** Refuses a record that does not fit the snapshot length or claims fewer bytes on the wire than were captured. */
    static void checkRecord(byte[] data, int originalLength, int snaplen) {
        if (data.length > snaplen) {
            throw new IllegalArgumentException(
                    "record of " + data.length + " bytes exceeds the snapshot length " + snaplen);
        }
        if (originalLength < data.length) {
            throw new IllegalArgumentException(
                    "originalLength " + originalLength + " is smaller than the " + data.length + " captured bytes");
        }
    }
}

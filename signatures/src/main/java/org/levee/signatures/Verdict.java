package org.levee.signatures;

/** What generated filters return. */
final class Verdict {
    /**
     * Returned on a match: libpcap's snapshot length, the value tcpdump's own filters return, so
     * a generated filter used as a socket filter keeps whole packets.
     */
    static final int MATCH = 262144;

    static final int NO_MATCH = 0;

    private Verdict() {}
}

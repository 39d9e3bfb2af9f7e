package org.levee.sflow;

/**
 * sFlow's generic interface counters record (format 1, "if_counters"): the IF-MIB counters of one
 * interface. Octet counters and the speed are unsigned 64 bits; the packet, discard and error
 * counters are unsigned 32 bits that wrap (IF-MIB's Counter32): {@link Builder} wraps them for
 * callers that keep 64-bit counts.
 *
 * @param ifIndex the interface's index (unsigned)
 * @param ifType its IANA ifType (6 = ethernetCsmacd)
 * @param ifSpeed bits per second (unsigned 64 bits; 0 = unknown)
 * @param ifDirection 0 unknown, 1 full duplex, 2 half duplex, 3 in, 4 out
 * @param ifStatus bit 0 = admin up, bit 1 = operationally up
 * @param inOctets octets received (unsigned 64 bits)
 * @param inUnicastPackets unicast packets received
 * @param inMulticastPackets multicast packets received
 * @param inBroadcastPackets broadcast packets received
 * @param inDiscards received packets discarded although error-free
 * @param inErrors received packets with errors
 * @param inUnknownProtocols received packets of an unknown protocol
 * @param outOctets octets sent (unsigned 64 bits)
 * @param outUnicastPackets unicast packets sent
 * @param outMulticastPackets multicast packets sent
 * @param outBroadcastPackets broadcast packets sent
 * @param outDiscards packets not sent although error-free
 * @param outErrors packets not sent because of errors
 * @param promiscuousMode IF-MIB's ifPromiscuousMode as the agent writes it (1 = true, 2 = false by
 *     IF-MIB's TruthValue; some agents write 0/1)
 */
public record GenericInterfaceCounters(
        int ifIndex,
        int ifType,
        long ifSpeed,
        int ifDirection,
        int ifStatus,
        long inOctets,
        long inUnicastPackets,
        long inMulticastPackets,
        long inBroadcastPackets,
        long inDiscards,
        long inErrors,
        long inUnknownProtocols,
        long outOctets,
        long outUnicastPackets,
        long outMulticastPackets,
        long outBroadcastPackets,
        long outDiscards,
        long outErrors,
        int promiscuousMode)
        implements CounterRecord {

    /** Bytes of the record's data in a datagram. */
    public static final int SIZE = 88;

    /** ifType of an Ethernet interface. */
    public static final int IF_TYPE_ETHERNET = 6;
    /** ifStatus bit: administratively up. */
    public static final int STATUS_ADMIN_UP = 1;
    /** ifStatus bit: operationally up. */
    public static final int STATUS_OPER_UP = 2;

    public GenericInterfaceCounters {
        Unsigned.u32("ifInUcastPkts", inUnicastPackets);
        Unsigned.u32("ifInMulticastPkts", inMulticastPackets);
        Unsigned.u32("ifInBroadcastPkts", inBroadcastPackets);
        Unsigned.u32("ifInDiscards", inDiscards);
        Unsigned.u32("ifInErrors", inErrors);
        Unsigned.u32("ifInUnknownProtos", inUnknownProtocols);
        Unsigned.u32("ifOutUcastPkts", outUnicastPackets);
        Unsigned.u32("ifOutMulticastPkts", outMulticastPackets);
        Unsigned.u32("ifOutBroadcastPkts", outBroadcastPackets);
        Unsigned.u32("ifOutDiscards", outDiscards);
        Unsigned.u32("ifOutErrors", outErrors);
    }

    @Override
    public int format() {
        return SflowFormats.GENERIC_INTERFACE_COUNTERS;
    }

    /** A builder for interface {@code ifIndex}: Ethernet, full duplex, up, every counter 0. */
    public static Builder builder(int ifIndex) {
        return new Builder(ifIndex);
    }

    /**
     * Builds the record from an interface's counters. The 32-bit counters are given as the
     * interface's 64-bit counts and wrapped to 32 bits, as IF-MIB's Counter32 wraps.
     */
    public static final class Builder {
        private final int ifIndex;
        private int ifType = IF_TYPE_ETHERNET;
        private long ifSpeed;
        private int ifDirection = 1;
        private int ifStatus = STATUS_ADMIN_UP | STATUS_OPER_UP;
        private long inOctets;
        private long inUnicastPackets;
        private long inMulticastPackets;
        private long inBroadcastPackets;
        private long inDiscards;
        private long inErrors;
        private long inUnknownProtocols;
        private long outOctets;
        private long outUnicastPackets;
        private long outMulticastPackets;
        private long outBroadcastPackets;
        private long outDiscards;
        private long outErrors;
        private int promiscuousMode = 2;

        private Builder(int ifIndex) {
            this.ifIndex = ifIndex;
        }

        private static long wrap(long count) {
            return count & Unsigned.MAX_U32;
        }

        public Builder ifType(int value) {
            ifType = value;
            return this;
        }

        public Builder ifSpeed(long bitsPerSecond) {
            ifSpeed = bitsPerSecond;
            return this;
        }

        public Builder ifDirection(int value) {
            ifDirection = value;
            return this;
        }

        public Builder ifStatus(boolean adminUp, boolean operUp) {
            ifStatus = (adminUp ? STATUS_ADMIN_UP : 0) | (operUp ? STATUS_OPER_UP : 0);
            return this;
        }

        public Builder inOctets(long value) {
            inOctets = value;
            return this;
        }

        public Builder inUnicastPackets(long value) {
            inUnicastPackets = wrap(value);
            return this;
        }

        public Builder inMulticastPackets(long value) {
            inMulticastPackets = wrap(value);
            return this;
        }

        public Builder inBroadcastPackets(long value) {
            inBroadcastPackets = wrap(value);
            return this;
        }

        public Builder inDiscards(long value) {
            inDiscards = wrap(value);
            return this;
        }

        public Builder inErrors(long value) {
            inErrors = wrap(value);
            return this;
        }

        public Builder inUnknownProtocols(long value) {
            inUnknownProtocols = wrap(value);
            return this;
        }

        public Builder outOctets(long value) {
            outOctets = value;
            return this;
        }

        public Builder outUnicastPackets(long value) {
            outUnicastPackets = wrap(value);
            return this;
        }

        public Builder outMulticastPackets(long value) {
            outMulticastPackets = wrap(value);
            return this;
        }

        public Builder outBroadcastPackets(long value) {
            outBroadcastPackets = wrap(value);
            return this;
        }

        public Builder outDiscards(long value) {
            outDiscards = wrap(value);
            return this;
        }

        public Builder outErrors(long value) {
            outErrors = wrap(value);
            return this;
        }

        public Builder promiscuous(boolean on) {
            promiscuousMode = on ? 1 : 2;
            return this;
        }

        public GenericInterfaceCounters build() {
            return new GenericInterfaceCounters(
                    ifIndex,
                    ifType,
                    ifSpeed,
                    ifDirection,
                    ifStatus,
                    inOctets,
                    inUnicastPackets,
                    inMulticastPackets,
                    inBroadcastPackets,
                    inDiscards,
                    inErrors,
                    inUnknownProtocols,
                    outOctets,
                    outUnicastPackets,
                    outMulticastPackets,
                    outBroadcastPackets,
                    outDiscards,
                    outErrors,
                    promiscuousMode);
        }
    }
}

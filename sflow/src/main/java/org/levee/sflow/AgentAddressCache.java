package org.levee.sflow;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The agent addresses a decoder has seen, so that a datagram from a known agent costs no
 * allocation: a table of a fixed size where an address may sit in one of {@value #WAYS} slots
 * after its hash. A new address takes a free one of those slots or, when all are taken, one of
 * them in turn; a flood of spoofed agent addresses costs allocations, never memory.
 */
final class AgentAddressCache {
    private static final int WAYS = 4;

    private final int mask;
    private int victim;
    private final long[] high;
    private final long[] low;
    private final InetAddress[] addresses;

    AgentAddressCache(int size) {
        if (size < 1 || size > 1 << 20) {
            throw new IllegalArgumentException("agent address cache size " + size + " is outside 1..1048576");
        }
        int slots = Integer.highestOneBit(size);
        mask = slots - 1;
        high = new long[slots];
        low = new long[slots];
        addresses = new InetAddress[slots];
    }

    /** The address of {@code length} (4 or 16) bytes at {@code at} in {@code buffer} (big-endian). */
    InetAddress lookup(ByteBuffer buffer, int at, int length) {
        long h;
        long l;
        if (length == 4) {
            // Bit 32 keeps IPv4 keys apart from most IPv6 ones; the type check below settles the rest.
            h = 1L << 32 | (buffer.getInt(at) & 0xffff_ffffL);
            l = 0;
        } else {
            h = buffer.getLong(at);
            l = buffer.getLong(at + 8);
        }
        long mixed = (h * 0x9E37_79B9_7F4A_7C15L) ^ (l * 0xC2B2_AE3D_27D4_EB4FL);
        int first = (int) (mixed ^ (mixed >>> 29));
        int slot = -1;
        for (int way = 0; way < WAYS; way++) {
            int candidate = (first + way) & mask;
            InetAddress cached = addresses[candidate];
            if (cached == null) {
                slot = candidate;
                break;
            }
            if (high[candidate] == h && low[candidate] == l && (cached instanceof Inet6Address) == (length == 16)) {
                return cached;
            }
        }
        if (slot < 0) {
            slot = (first + (victim++ & (WAYS - 1))) & mask;
        }
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        InetAddress address;
        try {
            // Inet6Address.getByAddress keeps an IPv4-mapped IPv6 address IPv6, as the datagram said.
            address = length == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
        high[slot] = h;
        low[slot] = l;
        addresses[slot] = address;
        return address;
    }
}

package org.levee.dataplane.program;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit key of a rule in the per-rule maps: FNV-1a of its id. Keys depend on the id only,
 * so a rule keeps its counters and rate-limit state when the program is replaced by another
 * rule-set version that still contains it. Two ids of one rule set with the same key are
 * refused when the object is built.
 */
public final class RuleKey {
    private RuleKey() {}

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    public static long of(String id) {
        long hash = OFFSET_BASIS;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= PRIME;
        }
        return hash;
    }
}

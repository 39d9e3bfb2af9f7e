package org.levee.dataplane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.DataplaneProgram;
import org.levee.dataplane.program.RuleKey;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapEntry;
import org.levee.ebpf.PossibleCpus;
import org.levee.ebpf.UpdateFlag;

/**
 * Where each rule counts its packets: a slot of {@link DataplaneMaps#RULE_STATS}, a per-CPU
 * array that the rule's hit code indexes with its constant {@code rule_<id>_counter}
 * ({@link DataplaneProgram#counterSymbol}), patched when the program loads. An array slot costs
 * the packet a bounds check and an add where a hash lookup cost hashing the key and comparing it
 * (about 6 ns of a dropped packet here). Which slot each rule has is kept in
 * {@link DataplaneMaps#RULE_SLOTS} (rule key to slot), pinned with the other maps: a rule keeps
 * its slot, and so its counts, from one rule-set version to the next and across restarts of the
 * process, in either rules stage. A rule takes the lowest free slot when it first loads (its
 * counts are zeroed then, before any program can count in it) and gives it back when it is in
 * neither stage any more ({@link #release}).
 */
final class RuleSlots {
    private RuleSlots() {}

    /** One assignment at a time in this process: the two stages of an interface share the slots. */
    private static final Object LOCK = new Object();

    /**
     * The {@code rule_<id>_counter} constants of {@code ids}: each rule's slot, taken now for the
     * rules that have none.
     *
     * @throws DataplaneException when every slot is taken
     */
    static Map<String, Long> assign(DataplaneMapSet maps, Collection<String> ids) {
        BpfMap slots = maps.get(DataplaneMaps.RULE_SLOTS);
        BpfMap stats = maps.get(DataplaneMaps.RULE_STATS);
        synchronized (LOCK) {
            Map<Long, Integer> taken = all(slots);
            BitSet used = new BitSet();
            taken.values().forEach(used::set);
            byte[] zeros = new byte[stats.userValueSize()];
            Map<String, Long> constants = new HashMap<>();
            for (String id : ids) {
                long key = RuleKey.of(id);
                Integer slot = taken.get(key);
                if (slot == null) {
                    slot = used.nextClearBit(0);
                    if (slot >= DataplaneMaps.RULE_STATS.maxEntries()) {
                        throw new DataplaneException("no counter slot is left for rule '" + id + "': all "
                                + DataplaneMaps.RULE_STATS.maxEntries() + " are taken by rules of the two stages");
                    }
                    stats.update(BpfMap.intBytes(slot), zeros); // a slot given back keeps its old counts
                    slots.update(BpfMap.longBytes(key), BpfMap.intBytes(slot), UpdateFlag.NOEXIST);
                    taken.put(key, slot);
                    used.set(slot);
                }
                constants.put(DataplaneProgram.counterSymbol(id), (long) slot);
            }
            return constants;
        }
    }

    /** Gives back the slots of every rule but {@code keep} (ids), once no program counts in them. */
    static void release(DataplaneMapSet maps, Set<String> keep) {
        BpfMap slots = maps.get(DataplaneMaps.RULE_SLOTS);
        Set<ByteBuffer> kept = keep.stream()
                .map(id -> ByteBuffer.wrap(BpfMap.longBytes(RuleKey.of(id))))
                .collect(Collectors.toSet());
        synchronized (LOCK) {
            for (byte[] key : slots.keys()) {
                if (!kept.contains(ByteBuffer.wrap(key))) {
                    slots.delete(key);
                }
            }
        }
    }

    /** The slot of rule {@code id}, if it has one. */
    static OptionalInt slotOf(BpfMap slots, String id) {
        return slots.lookup(BpfMap.longBytes(RuleKey.of(id)))
                .map(v -> OptionalInt.of(
                        ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt()))
                .orElse(OptionalInt.empty());
    }

    /** Every rule's slot in {@code slots} ({@link DataplaneMaps#RULE_SLOTS}) by rule key, read in one batch. */
    static Map<Long, Integer> all(BpfMap slots) {
        Map<Long, Integer> taken = new HashMap<>();
        for (MapEntry entry : slots.lookupBatch()) {
            taken.put(
                    ByteBuffer.wrap(entry.key()).order(ByteOrder.nativeOrder()).getLong(),
                    ByteBuffer.wrap(entry.value())
                            .order(ByteOrder.nativeOrder())
                            .getInt());
        }
        return taken;
    }

    /** {packets, bytes} of rule {@code id}, summed over the CPUs (zeros when it has no slot). */
    static long[] counts(BpfMap slots, BpfMap stats, String id) {
        return counts(stats, slotOf(slots, id));
    }

    /**
     * {packets, bytes} of every rule of {@code ids}: the slots read in one batch ({@link #all}), then
     * one lookup a rule, where {@link #counts(BpfMap, BpfMap, String)} makes two.
     */
    static Map<String, long[]> counts(BpfMap slots, BpfMap stats, Collection<String> ids) {
        Map<Long, Integer> taken = all(slots);
        Map<String, long[]> counts = new HashMap<>();
        for (String id : ids) {
            Integer slot = taken.get(RuleKey.of(id));
            counts.put(id, counts(stats, slot == null ? OptionalInt.empty() : OptionalInt.of(slot)));
        }
        return counts;
    }

    private static long[] counts(BpfMap stats, OptionalInt slot) {
        long[] counts = new long[2];
        if (slot.isPresent()) {
            stats.lookup(BpfMap.intBytes(slot.getAsInt())).ifPresent(value -> {
                ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
                for (int cpu = 0; cpu < PossibleCpus.count(); cpu++) {
                    counts[0] += b.getLong(cpu * 16);
                    counts[1] += b.getLong(cpu * 16 + 8);
                }
            });
        }
        return counts;
    }
}

package org.levee.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.testing.Requirements;

@Tag("kernel")
class MapTest {
    private static final HexFormat HEX = HexFormat.of();

    @BeforeEach
    void needsRoot() {
        Requirements.root();
    }

    static Stream<Arguments> hashLikeTypesAndSeeds() {
        return Stream.of(MapType.HASH, MapType.LRU_HASH, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH)
                .flatMap(t -> Stream.of(11L, 22L, 33L).map(seed -> Arguments.of(t, seed)));
    }

    /** Random updates and deletes, mirrored in a HashMap: the kernel map must agree after each step. */
    @ParameterizedTest
    @MethodSource("hashLikeTypesAndSeeds")
    void hashMapsBehaveLikeAJavaMap(MapType type, long seed) {
        Random random = new Random(seed);
        int keySize = 1 + random.nextInt(16);
        int valueSize = 1 + random.nextInt(24);
        // LRU maps may evict before they are full (per-CPU free lists): give them ample room.
        int maxEntries = type == MapType.LRU_HASH || type == MapType.LRU_PERCPU_HASH ? 1024 : 64;
        try (BpfMap map = BpfMap.create(MapSpec.of(type, "h" + seed, keySize, valueSize, maxEntries))) {
            int userSize = map.userValueSize();
            if (type.perCpu()) {
                assertThat(userSize).isEqualTo(((valueSize + 7) & ~7) * PossibleCpus.count());
            } else {
                assertThat(userSize).isEqualTo(valueSize);
            }
            Map<String, byte[]> model = new HashMap<>();
            List<byte[]> keyPool =
                    Stream.generate(() -> bytes(random, keySize)).limit(24).toList();
            for (int step = 0; step < 300; step++) {
                byte[] key = keyPool.get(random.nextInt(keyPool.size()));
                String k = HEX.formatHex(key);
                switch (random.nextInt(5)) {
                    case 0, 1 -> {
                        byte[] value = bytes(random, userSize);
                        map.update(key, value);
                        model.put(k, value);
                    }
                    case 2 -> {
                        byte[] value = bytes(random, userSize);
                        UpdateFlag flag = random.nextBoolean() ? UpdateFlag.NOEXIST : UpdateFlag.EXIST;
                        boolean shouldWork = (flag == UpdateFlag.EXIST) == model.containsKey(k);
                        if (shouldWork) {
                            map.update(key, value, flag);
                            model.put(k, value);
                        } else {
                            assertThatThrownBy(() -> map.update(key, value, flag))
                                    .isInstanceOfSatisfying(
                                            BpfException.class,
                                            e -> assertThat(e.errnoName())
                                                    .isEqualTo(flag == UpdateFlag.EXIST ? "ENOENT" : "EEXIST"));
                        }
                    }
                    case 3 -> assertThat(map.delete(key)).isEqualTo(model.remove(k) != null);
                    default ->
                        assertThat(map.lookup(key).map(HEX::formatHex))
                                .isEqualTo(Optional.ofNullable(model.get(k)).map(HEX::formatHex));
                }
            }
            assertThat(map.keys().stream().map(HEX::formatHex)).containsExactlyInAnyOrderElementsOf(model.keySet());
            Map<String, String> batch = new HashMap<>();
            for (MapEntry e : map.lookupBatch(5)) {
                batch.put(HEX.formatHex(e.key()), HEX.formatHex(e.value()));
            }
            Map<String, String> expected = new HashMap<>();
            model.forEach((k, v) -> expected.put(k, HEX.formatHex(v)));
            assertThat(batch).isEqualTo(expected);
        }
    }

    @Test
    void arraysHoldEveryIndexAndRejectDeletes() {
        try (BpfMap map = BpfMap.create(MapSpec.array("arr", 8, 10))) {
            assertThat(map.getLong(3)).contains(0L);
            assertThat(map.getLong(10)).isEmpty();
            for (int i = 0; i < 10; i++) {
                map.put(i, 1000L * i);
            }
            assertThat(map.getLong(7)).contains(7000L);
            assertThat(map.keys()).hasSize(10);
            assertThat(map.nextKey(null)).hasValueSatisfying(k -> assertThat(k).isEqualTo(BpfMap.intBytes(0)));
            assertThat(map.nextKey(BpfMap.intBytes(9))).isEmpty();
            List<MapEntry> all = map.lookupBatch(3);
            assertThat(all).hasSize(10);
            for (int i = 0; i < 10; i++) {
                assertThat(all.get(i).key()).isEqualTo(BpfMap.intBytes(i));
                assertThat(all.get(i).value()).isEqualTo(BpfMap.longBytes(1000L * i));
            }
            assertThatThrownBy(() -> map.update(BpfMap.intBytes(10), BpfMap.longBytes(1)))
                    .isInstanceOfSatisfying(
                            BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("E2BIG"));
            assertThatThrownBy(() -> map.delete(BpfMap.intBytes(1)))
                    .isInstanceOfSatisfying(
                            BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
            assertThatThrownBy(() -> map.update(BpfMap.intBytes(1), BpfMap.longBytes(1), UpdateFlag.NOEXIST))
                    .isInstanceOfSatisfying(
                            BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
        }
    }

    @Test
    void perCpuArraysHoldOneValuePerPossibleCpu() {
        int cpus = PossibleCpus.count();
        try (BpfMap map = BpfMap.create(MapSpec.perCpuArray("pcpu", 4, 2))) {
            assertThat(map.userValueSize()).isEqualTo(8 * cpus); // 4-byte values padded to 8
            ByteBuffer value = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
            for (int cpu = 0; cpu < cpus; cpu++) {
                value.putLong(cpu * 8, 100 + cpu);
            }
            map.update(BpfMap.intBytes(1), value.array());
            long[] read = map.perCpuLongs(1);
            assertThat(read).hasSize(cpus);
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertThat(read[cpu]).isEqualTo(100 + cpu);
            }
            assertThat(map.perCpuLongs(0)).containsOnly(0L);
            assertThatThrownBy(() -> map.update(BpfMap.intBytes(1), new byte[4]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4 bytes")
                    .hasMessageContaining(cpus + " possible CPUs");
        }
    }

    @Test
    void lpmTriesFindTheLongestMatchingPrefix() {
        try (BpfMap trie = BpfMap.create(MapSpec.lpmTrie("lpm", 4, 4, 16))) {
            assertThat(trie.info().flags() & MapSpec.F_NO_PREALLOC).isNotZero();
            trie.update(new LpmKey(8, ip(198, 0, 0, 0)).encode(), BpfMap.intBytes(8));
            trie.update(new LpmKey(16, ip(198, 51, 0, 0)).encode(), BpfMap.intBytes(16));
            trie.update(new LpmKey(24, ip(198, 51, 100, 0)).encode(), BpfMap.intBytes(24));
            trie.update(new LpmKey(32, ip(198, 51, 100, 7)).encode(), BpfMap.intBytes(32));

            assertThat(lookupPrefix(trie, ip(198, 51, 100, 7))).contains(32);
            assertThat(lookupPrefix(trie, ip(198, 51, 100, 8))).contains(24);
            assertThat(lookupPrefix(trie, ip(198, 51, 7, 8))).contains(16);
            assertThat(lookupPrefix(trie, ip(198, 18, 0, 1))).contains(8);
            assertThat(lookupPrefix(trie, ip(203, 0, 113, 1))).isEmpty();

            assertThat(trie.delete(new LpmKey(24, ip(198, 51, 100, 0)).encode()))
                    .isTrue();
            assertThat(lookupPrefix(trie, ip(198, 51, 100, 8))).contains(16);
            assertThat(trie.keys()).hasSize(3);
        }
    }

    @Test
    void lpmTriesNeedNoPrealloc() {
        assertThatThrownBy(() -> new MapSpec(MapType.LPM_TRIE, "lpm", 8, 4, 16, 0))
                .hasMessageContaining("F_NO_PREALLOC");
    }

    @Test
    void programArraysHoldProgramsAndReportTheirIds() {
        try (BpfMap table = BpfMap.create(MapSpec.programArray("jmp", 4));
                Program p = Program.load(ProgramSpec.xdp("target", TestPrograms.returning(1)))) {
            table.put(2, p.fd());
            assertThat(table.getInt(2)).contains(p.info().id());
            assertThat(table.getInt(0)).isEmpty();
            assertThat(table.delete(BpfMap.intBytes(2))).isTrue();
            assertThat(table.getInt(2)).isEmpty();
        }
    }

    @Test
    void ringBuffersAreCreatedWithTheirSize() {
        try (BpfMap ring = BpfMap.create(MapSpec.ringBuffer("rb", 1 << 16))) {
            assertThat(ring.info())
                    .isEqualTo(new MapInfo(MapType.RINGBUF, ring.info().id(), "rb", 0, 0, 1 << 16, 0));
        }
        assertThatThrownBy(() -> MapSpec.ringBuffer("rb", 5000))
                .hasMessageContaining("5000")
                .hasMessageContaining("power of 2");
    }

    @Test
    void frozenMapsRejectUpdatesWithEperm() {
        try (BpfMap map = BpfMap.create(MapSpec.array("frz", 8, 4))) {
            map.put(1, 42L);
            map.freeze();
            assertThatThrownBy(() -> map.put(1, 43L)).isInstanceOfSatisfying(BpfException.class, e -> {
                assertThat(e.errnoName()).isEqualTo("EPERM");
                assertThat(e.command()).isEqualTo(BpfCommand.BPF_MAP_UPDATE_ELEM);
                assertThat(e.hint()).contains("frozen");
            });
            assertThat(map.getLong(1)).contains(42L);
        }
    }

    @Test
    void infoAndIdsRoundTrip() {
        try (BpfMap map = BpfMap.create(MapSpec.hash("info", 6, 10, 33).withFlags(MapSpec.F_NO_PREALLOC))) {
            MapInfo info = map.info();
            assertThat(info.type()).isEqualTo(MapType.HASH);
            assertThat(info.name()).isEqualTo("info");
            assertThat(info.keySize()).isEqualTo(6);
            assertThat(info.valueSize()).isEqualTo(10);
            assertThat(info.maxEntries()).isEqualTo(33);
            assertThat(info.flags()).isEqualTo(MapSpec.F_NO_PREALLOC);
            assertThat(info.id()).isPositive();
            byte[] key = {1, 2, 3, 4, 5, 6};
            map.update(key, new byte[10]);
            try (BpfMap same = BpfMap.fromId(info.id())) {
                assertThat(same.info()).isEqualTo(info);
                assertThat(same.lookup(key)).isPresent();
                assertThat(same.fd()).isNotEqualTo(map.fd());
            }
        }
    }

    @Test
    void fullHashesReportE2big() {
        try (BpfMap map = BpfMap.create(MapSpec.hash("full", 4, 4, 2))) {
            map.put(1, 1);
            map.put(2, 2);
            assertThatThrownBy(() -> map.put(3, 3)).isInstanceOfSatisfying(BpfException.class, e -> {
                assertThat(e.errnoName()).isEqualTo("E2BIG");
                assertThat(e.getMessage()).contains("hash map 'full'", "map is full");
            });
        }
    }

    @Test
    void badInputsNameWhatIsWrong() {
        try (BpfMap map = BpfMap.create(MapSpec.hash("sizes", 4, 8, 4))) {
            assertThatThrownBy(() -> map.lookup(new byte[3]))
                    .hasMessageContaining("key has 3 bytes")
                    .hasMessageContaining("4-byte keys");
            assertThatThrownBy(() -> map.update(new byte[4], new byte[7]))
                    .hasMessageContaining("value has 7 bytes")
                    .hasMessageContaining("8-byte values");
        }
        assertThatThrownBy(() -> MapSpec.hash("x", 4, 4, 0)).hasMessageContaining("max entries");
        assertThatThrownBy(() -> MapSpec.hash("bad-name", 4, 4, 1)).hasMessageContaining("'-' at index 3");
        assertThatThrownBy(() -> BpfMap.create(MapSpec.hash("zero", 0, 4, 1)))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EINVAL");
                    assertThat(e.getMessage()).contains("BPF_MAP_CREATE", "hash map 'zero'", "key 0 B");
                });
    }

    @Test
    void possibleCpuListsAreParsed() {
        assertThat(PossibleCpus.parse("0\n")).isEqualTo(1);
        assertThat(PossibleCpus.parse("0-1\n")).isEqualTo(2);
        assertThat(PossibleCpus.parse("0,2-5,7")).isEqualTo(8);
        assertThatThrownBy(() -> PossibleCpus.parse("0-x")).hasMessageContaining("'0-x'");
        assertThat(PossibleCpus.count()).isPositive();
    }

    private static Optional<Integer> lookupPrefix(BpfMap trie, byte[] address) {
        return trie.lookup(new LpmKey(32, address).encode())
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    private static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}

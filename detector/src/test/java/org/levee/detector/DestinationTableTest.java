package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.rules.IpAddress;

class DestinationTableTest {

    static LongStream seeds() {
        return LongStream.range(1, 11);
    }

    private static IpAddress address(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> IpAddress.ipv4(0xcb007100 | r.nextInt(256)); // 203.0.113.0/24
            case 1 -> IpAddress.ipv4(0xc6120000 | r.nextInt(1 << 17)); // 198.18.0.0/15
            default -> IpAddress.ipv6(0, 0xc6120000L | r.nextInt(1 << 17)); // same bits, IPv6
        };
    }

    /** Against HashMap, with clustered IPv4 addresses and IPv6 addresses whose bits look like IPv4 ones. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void findsWhatWasPutAndNothingElse(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DestinationTable<Integer> table = new DestinationTable<>(r.nextLong());
        Map<IpAddress, Integer> reference = new HashMap<>();
        int n = r.nextInt(20_000);
        for (int i = 0; i < n; i++) {
            IpAddress a = address(r);
            if (!reference.containsKey(a)) {
                assertThat(table.get(a)).isNull();
                table.put(a, i);
                reference.put(a, i);
            }
        }
        assertThat(table.size()).isEqualTo(reference.size());
        reference.forEach((a, v) -> assertThat(table.get(a)).as("%s", a).isEqualTo(v));
        assertThat(table.get(IpAddress.parse("2001:db8::1"))).isNull();
    }

    /**
     * Puts and removes at random against HashMap, the population going up and down, so that
     * removals shift back entries across clusters and across the end of the arrays; after every
     * hundred operations everything present is found and everything removed is not.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void forgetsWhatWasRemovedAndNothingElse(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DestinationTable<Integer> table = new DestinationTable<>(r.nextLong());
        Map<IpAddress, Integer> reference = new HashMap<>();
        List<IpAddress> present = new ArrayList<>();
        List<IpAddress> removed = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            // Grow for a while, then shrink, then grow again: removal at every load.
            boolean growing = (i / 15_000) % 2 == 0;
            if (!present.isEmpty() && r.nextInt(100) < (growing ? 30 : 70)) {
                int at = r.nextInt(present.size());
                IpAddress a = present.get(at);
                present.set(at, present.getLast());
                present.removeLast();
                assertThat(table.remove(a)).isTrue();
                reference.remove(a);
                removed.add(a);
            } else {
                IpAddress a = address(r);
                if (!reference.containsKey(a)) {
                    table.put(a, i);
                    reference.put(a, i);
                    present.add(a);
                }
            }
            if (i % 100 == 0) {
                assertThat(table.size()).isEqualTo(reference.size());
                for (int k = 0; k < 50 && !present.isEmpty(); k++) {
                    IpAddress a = present.get(r.nextInt(present.size()));
                    assertThat(table.get(a)).as("%s", a).isEqualTo(reference.get(a));
                }
                for (int k = 0; k < 50 && !removed.isEmpty(); k++) {
                    IpAddress a = removed.get(r.nextInt(removed.size()));
                    assertThat(table.get(a)).as("%s", a).isEqualTo(reference.get(a));
                }
            }
        }
        reference.forEach((a, v) -> assertThat(table.get(a)).as("%s", a).isEqualTo(v));
        assertThat(table.remove(IpAddress.parse("2001:db8::1"))).isFalse();
        assertThat(table.size()).isEqualTo(reference.size());
    }

    /** Two tables with different keys place the same addresses differently: the layout is secret. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theKeyDecidesWhereAddressesGo(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // 400 consecutive addresses in 1024 slots: unkeyed, each would sit in the same slot in
        // both tables; keyed, about 1 in 1024 does by chance (a few more with collisions).
        DestinationTable<Integer> a = new DestinationTable<>(r.nextLong());
        DestinationTable<Integer> b = new DestinationTable<>(r.nextLong());
        for (int i = 0; i < 400; i++) {
            IpAddress address = IpAddress.ipv4(0xcb007100 + i);
            a.put(address, i);
            b.put(address, i);
        }
        assertThat(a.slotOf(IpAddress.ipv4(0xcb007100))).isBetween(0, a.slots() - 1);
        int same = 0;
        for (int i = 0; i < 400; i++) {
            IpAddress address = IpAddress.ipv4(0xcb007100 + i);
            if (a.slotOf(address) == b.slotOf(address)) {
                same++;
            }
        }
        assertThat(same).as("addresses in the same slot under two keys").isLessThan(40);
    }
}

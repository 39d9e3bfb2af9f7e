package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
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

    /** Against HashMap, with clustered IPv4 addresses and IPv6 addresses whose bits look like IPv4 ones. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void findsWhatWasPutAndNothingElse(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DestinationTable<Integer> table = new DestinationTable<>();
        Map<IpAddress, Integer> reference = new HashMap<>();
        int n = r.nextInt(20_000);
        for (int i = 0; i < n; i++) {
            IpAddress a = switch (r.nextInt(3)) {
                case 0 -> IpAddress.ipv4(0xcb007100 | r.nextInt(256)); // 203.0.113.0/24
                case 1 -> IpAddress.ipv4(0xc6120000 | r.nextInt(1 << 17)); // 198.18.0.0/15
                default -> IpAddress.ipv6(0, 0xc6120000L | r.nextInt(1 << 17)); // same bits, IPv6
            };
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
}

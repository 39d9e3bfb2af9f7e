package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PrefixTest {

    @Test
    void addressesRoundTripThroughTextAndBytes() {
        for (String text : List.of(
                "192.0.2.1",
                "203.0.113.255",
                "2001:db8::1",
                "2001:db8:ffff::",
                "::1",
                "2001:db8:1:2:3:4:5:6",
                "2001:0:0:1::1",
                "::")) {
            IpAddress a = IpAddress.parse(text);
            assertThat(a).hasToString(text);
            assertThat(IpAddress.fromBytes(a.toBytes())).isEqualTo(a);
        }
        assertThat(IpAddress.parse("::ffff:0:192.0.2.1")).hasToString("::ffff:0:c000:201");
        assertThatThrownBy(() -> IpAddress.parse("host.example")).hasMessageContaining("not an IP address literal");
    }

    @Test
    void addressesAndPrefixesRoundTrip() {
        assertThat(IpAddress.parse("203.0.113.7")).hasToString("203.0.113.7");
        assertThat(IpAddress.parse("2001:db8::1")).hasToString("2001:db8::1");
        assertThat(Prefix.parse("203.0.113.7")).isEqualTo(Prefix.host(IpAddress.parse("203.0.113.7")));
        assertThat(Prefix.parse("2001:db8::/32")).hasToString("2001:db8::/32");
        assertThat(Prefix.of(IpAddress.parse("2001:db8:ffff::10"), 64)).hasToString("2001:db8:ffff::/64");
        assertThat(Prefix.parse("203.0.113.0/24").contains(IpAddress.parse("203.0.113.77")))
                .isTrue();
        assertThat(Prefix.parse("203.0.113.0/24").contains(IpAddress.parse("203.0.114.1")))
                .isFalse();
        assertThat(Prefix.parse("203.0.113.0/24").contains(Prefix.parse("203.0.113.128/25")))
                .isTrue();
        assertThat(Prefix.parse("203.0.113.128/25").contains(Prefix.parse("203.0.113.0/24")))
                .isFalse();
        assertThat(Prefix.parse("::/0").contains(IpAddress.parse("203.0.113.1")))
                .isFalse();
        List<String> seen = new ArrayList<>();
        for (int length = 0; length <= 128; length += 16) {
            seen.add(Prefix.of(IpAddress.parse("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"), length)
                    .toString());
        }
        assertThat(seen)
                .contains(
                        "::/0",
                        "2001:db8::/32",
                        "2001:db8:aaaa:bbbb::/64",
                        "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/128");
    }

    /** The RFC 5952 text of random addresses with runs of zero groups, checked against the JDK's parser. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ipv6TextIsShortestAndParsesBack(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            long high = 0;
            long low = 0;
            for (int g = 0; g < 8; g++) {
                long group = r.nextInt(3) == 0 ? r.nextInt(0x10000) : 0;
                if (g < 4) {
                    high |= group << (48 - 16 * g);
                } else {
                    low |= group << (48 - 16 * (g - 4));
                }
            }
            IpAddress address = IpAddress.ipv6(high, low);
            String text = address.toString();
            assertThat(IpAddress.fromBytes(java.net.InetAddress.getByName(text).getAddress()))
                    .as(text)
                    .isEqualTo(address);
            assertThat(text)
                    .as("no leading zeros, lower case")
                    .doesNotContainPattern(":0[0-9a-f]")
                    .isEqualTo(text.toLowerCase());
            assertThat(text.indexOf("::")).as("one :: at most").isEqualTo(text.lastIndexOf("::"));
            int cut = text.indexOf("::");
            List<String> written = new ArrayList<>();
            for (String part : (cut < 0 ? text : text.replace("::", ":-:")).split(":")) {
                if (!part.isEmpty()) {
                    written.add(part);
                }
            }
            int replaced = cut < 0 ? 0 : 9 - written.size(); // the "-" marks where the run was
            assertThat(cut < 0 ? written.size() : written.size() - 1 + replaced)
                    .as(text)
                    .isEqualTo(8);
            if (cut >= 0) {
                assertThat(replaced)
                        .as("%s: :: stands for two zero groups or more", text)
                        .isGreaterThanOrEqualTo(2);
            }
            int run = 0;
            boolean afterCut = false;
            for (String group : written) {
                afterCut |= group.equals("-");
                run = group.equals("0") ? run + 1 : 0;
                assertThat(run)
                        .as("%s: a longer (or earlier equal) zero run than the one written ::", text)
                        .isLessThan(afterCut ? replaced + 1 : Math.max(replaced, 2));
            }
        }
    }

    static LongStream seeds() {
        return LongStream.range(1, 11);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "192.0.2.1/24|'192.0.2.1/24' has bits set after the prefix (the network is 192.0.2.0/24)",
                "2001:db8::1/32|'2001:db8::1/32' has bits set after the prefix (the network is 2001:db8::/32)",
                "example.com|'example.com' is not an IPv4 or IPv6 prefix",
                "10.0.0.0/33|prefix length 33 is outside 0..32",
                "2001:db8::/129|prefix length 129 is outside 0..128",
                "203.0.113.0/x|'203.0.113.0/x': prefix length 'x' is not a number",
                "1.2.3|'1.2.3' is not an IPv4 or IPv6 prefix",
            })
    void badPrefixesSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Prefix.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void aTcpdumpDestinationNamesTheNetwork() {
        assertThat(Prefix.parse("2001:db8::/32").tcpdumpDestination()).isEqualTo("dst net 2001:db8::/32");
        assertThat(Prefix.parse("192.0.2.7").isHost()).isTrue();
    }

    @Test
    void fiftyThousandColonsAreRefusedAtOnce() {
        // Found by RuleFileFuzzTest: the literal pattern backtracked for minutes over "2001:db8:ffff" and 50,000
        // colons.
        String text = "2001:db8:ffff" + ":".repeat(50_000) + "/64";
        long start = System.nanoTime();
        assertThatThrownBy(() -> Prefix.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("is not an IPv4 or IPv6 prefix");
        assertThat(System.nanoTime() - start).isLessThan(100_000_000L);
    }

    @Test
    void onlyLiteralsAreAddressesSoNothingAsksDns() {
        // Found by UpstreamConfigFuzzTest: hex letters and dots passed the old check, so "cafe" or "add.bad"
        // in router_id went to DNS (a query off the machine, seconds without an answer); "1.2.3" was 1.2.0.3.
        for (String text : List.of("cafe", "add.bad", "1.2.3", "deadbeef", "1.2.3.4.5", "")) {
            assertThatThrownBy(() -> IpAddress.parse(text))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an IP address literal");
            assertThatThrownBy(() -> Prefix.parse(text + "/32")).as(text).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(IpAddress.parse("192.0.2.1")).hasToString("192.0.2.1");
        assertThat(IpAddress.parse("::ffff:192.0.2.1")).isNotNull();
        assertThat(IpAddress.parse("2001:db8::1").version()).isEqualTo(6);
    }
}

package org.levee.cbpf.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.testing.Requirements;

/** The libpcap binding: compilation, libpcap's own error messages, the offline filter, threads. */
class LibpcapTest {

    @BeforeEach
    void requireLibpcap() {
        Requirements.library(Libpcap.SONAME);
    }

    @Test
    void compilesTheClassicIpv4Filter() {
        assertThat(Libpcap.compile("ip"))
                .isEqualTo(CbpfProgram.of(ldAbsH(12), jeqK(0x800, 0, 1), retK(Libpcap.DEFAULT_SNAPLEN), retK(0)));
        assertThat(Libpcap.compile("ip", LinkType.RAW).get(0))
                .as("raw IP reads the version nibble")
                .isEqualTo(ldAbsB(0));
        assertThat(Libpcap.compile("ip", LinkType.EN10MB, 96).get(2)).isEqualTo(retK(96));
        assertThat(Libpcap.version()).startsWith("libpcap version 1.");
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("tcp port", "syntax error"),
                Arguments.of("ip and and ip", "syntax error"),
                Arguments.of("ip proto nosuchproto", "unknown ip proto 'nosuchproto'"),
                Arguments.of("port 99999", "illegal port number 99999 > 65535"),
                Arguments.of("net 192.0.2.1/33", "mask length must be <= 32"),
                Arguments.of("ip[1] / ip[0] > 2", "division by zero"),
                Arguments.of("ip and not ip", "expression rejects all packets"),
                // Compiled with PCAP_NETMASK_UNKNOWN, as the brief of Levee's rules requires.
                Arguments.of("ip broadcast", "netmask not known"));
    }

    /** Found by fuzzing (LibpcapFuzzTest): "arp \0 " compiled as "arp", the rest unseen by libpcap. */
    @Test
    void refusesANulCharacterInsteadOfCompilingWhatComesBeforeIt() {
        assertThatThrownBy(() -> Libpcap.compile("arp \0 and tcp"))
                .isInstanceOf(CbpfException.class)
                .hasMessage("cannot compile 'arp \\0 and tcp': character 5 is a NUL, where libpcap would stop reading"
                        + " and ignore the rest");
        assertThatThrownBy(() -> Libpcap.compile("\0")).hasMessageContaining("character 1 is a NUL");
    }

    /**
     * Found by fuzzing (LibpcapFuzzTest, 1,000,000 inputs): "len > " and 8,553 minus signs took
     * libpcap over a second. Expressions are limited to 4,096 characters.
     */
    @Test
    void refusesExpressionsLongerThanTheLimitAtOnce() {
        String slow = "len > " + "-".repeat(8_553) + "0";
        long start = System.nanoTime();
        assertThatThrownBy(() -> Libpcap.compile(slow))
                .isInstanceOf(CbpfException.class)
                .hasMessage(
                        "cannot compile 'len > ----------------------------------…': 8560 characters, more than 4096"
                                + " (libpcap's time grows faster than the length): split it into several rules");
        assertThat(System.nanoTime() - start).isLessThan(100_000_000L);
        String longest = "ip and ".repeat(584) + "ip[0]=69";
        assertThat(longest).hasSize(Libpcap.MAX_EXPRESSION_LENGTH);
        assertThat(Libpcap.compile(longest).size()).isPositive();
        assertThat(Libpcap.compile("len > " + "-".repeat(4_089) + "0").size()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void surfacesLibpcapsMessage(String expression, String message) {
        assertThatThrownBy(() -> Libpcap.compile(expression))
                .isInstanceOf(CbpfException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("'" + expression + "'");
    }

    @Test
    void offlineFilterReturnsTheFilterValue() {
        CbpfProgram lengthOrZero = CbpfProgram.of(ldAbsB(0), jeqK(0x45, 0, 2), ldLen(), retA(), retK(0));
        byte[] packet = {0x45, 0, 0, 20};
        assertThat(Libpcap.offlineFilterResult(lengthOrZero, packet, 1500)).isEqualTo(1500);
        assertThat(Libpcap.offlineFilter(lengthOrZero, packet, 1500)).isTrue();
        assertThat(Libpcap.offlineFilter(lengthOrZero, new byte[] {0x60}, 1)).isFalse();
        assertThat(Libpcap.offlineFilter(lengthOrZero, new byte[0], 0))
                .as("out of the captured bytes")
                .isFalse();
        assertThatThrownBy(() -> Libpcap.offlineFilter(lengthOrZero, packet, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wireLength 3");
    }

    /** The one documented difference: libpcap yields 0 for a shift by X ≥ 32, Linux masks it to 5 bits. */
    @Test
    void shiftByRegisterOf32OrMoreIsWhereLibpcapAndLinuxDiffer() {
        CbpfProgram shift = CbpfProgram.of(ldAbsB(0), tax(), ldImm(1), aluX(LSH), retA());
        byte[] packet = {33};
        assertThat(Libpcap.offlineFilterResult(shift, packet, 1)).isEqualTo(0);
        assertThat(CbpfInterpreter.run(shift, packet)).isEqualTo(2);
        packet[0] = 31;
        assertThat(CbpfInterpreter.run(shift, packet)).isEqualTo(Libpcap.offlineFilterResult(shift, packet, 1));
    }

    @Test
    void compilesConcurrentlyWithoutInterference() throws Exception {
        List<String> expressions = List.of(
                "tcp port 80",
                "udp and host 192.0.2.1",
                "vlan 5 and ip6",
                "icmp",
                "len > 100",
                "ip[2:2] - ((ip[0]&0xf)<<2) > 20",
                "arp or rarp",
                "tcp[tcpflags] & tcp-syn != 0");
        List<String> expected = expressions.stream()
                .map(e -> CbpfText.printDdd(Libpcap.compile(e)))
                .toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        int which = (i + offset) % expressions.size();
                        if (!CbpfText.printDdd(Libpcap.compile(expressions.get(which)))
                                .equals(expected.get(which))) {
                            return false;
                        }
                        if (i % 10 == 0) {
                            assertThatThrownBy(() -> Libpcap.compile("tcp port"))
                                    .isInstanceOf(CbpfException.class);
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }
}

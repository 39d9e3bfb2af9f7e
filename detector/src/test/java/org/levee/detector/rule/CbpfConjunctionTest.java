package org.levee.detector.rule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.testing.Requirements;

/** and(A, B) matches exactly where A and B both match, including programs that return A. */
class CbpfConjunctionTest {

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void matchesWhereBothMatch() {
        TcpdumpCompiler libpcap = new LibpcapTcpdumpCompiler();
        List<CbpfProgram> programs = List.of(
                libpcap.compile("udp"), libpcap.compile("tcp and dst port 443"), libpcap.compile("ip6"),
                libpcap.compile("dst net 203.0.113.0/24"), libpcap.compile("len > 200"),
                libpcap.compile("vlan and udp src port 53"),
                DnsQueryNameFilter.build("store.example.net", true, false),
                // Returns the accumulator: the low byte of the IPv4 TTL (0 = no match).
                CbpfProgram.of(CbpfInstruction.ldAbsB(22), CbpfInstruction.andK(1), CbpfInstruction.retA()));
        List<byte[]> corpus = FilterCorpus.frames(new SplittableRandom(11), 6);
        for (CbpfProgram a : programs) {
            for (CbpfProgram b : programs) {
                CbpfProgram both = CbpfConjunction.and(a, b);
                CbpfValidator.validate(both);
                for (byte[] frame : corpus) {
                    boolean expected = CbpfInterpreter.matches(a, frame, frame.length)
                            && CbpfInterpreter.matches(b, frame, frame.length);
                    assertThat(CbpfInterpreter.matches(both, frame, frame.length)).as("%s AND %s", a, b)
                            .isEqualTo(expected);
                }
            }
        }
    }
}

package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.ebpf.Program;
import org.levee.testing.Requirements;

/**
 * The compiler's size contract: for each of the fifteen reference filters our fragment is no
 * larger than cbpfc's, the total is at most 394 instructions (cbpfc: 526), and the verifier
 * accepts the wrapped program.
 */
@Tag("kernel")
class SizeContractTest {

    static Stream<ReferenceFilters.Filter> filters() {
        return ReferenceFilters.ALL.stream();
    }

    private static int fragmentSize(ReferenceFilters.Filter filter) {
        CbpfProgram cbpf = Libpcap.compile(filter.expression(), LinkType.EN10MB);
        return XdpFilterProgram.of(CbpfCompiler.compile(cbpf)).fragmentInsns();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void noLargerThanCbpfcAndAcceptedByTheVerifier(ReferenceFilters.Filter filter) {
        Requirements.library(Libpcap.SONAME);
        assertThat(fragmentSize(filter))
                .as("filter %d '%s'", filter.number(), filter.expression())
                .isLessThanOrEqualTo(filter.cbpfcInsns());
        Requirements.root();
        XdpFilterProgram xdp =
                XdpFilterProgram.of(CbpfCompiler.compile(Libpcap.compile(filter.expression(), LinkType.EN10MB)));
        try (Program loaded = xdp.load("levee_size")) {
            assertThat(loaded.info().xlatedLength()).isPositive();
        }
    }

    @Test
    void totalWithinTheContract() {
        Requirements.library(Libpcap.SONAME);
        int total = ReferenceFilters.ALL.stream()
                .mapToInt(SizeContractTest::fragmentSize)
                .sum();
        assertThat(total).isLessThanOrEqualTo(ReferenceFilters.OUR_LIMIT);
        assertThat(ReferenceFilters.ALL.stream()
                        .mapToInt(ReferenceFilters.Filter::cbpfcInsns)
                        .sum())
                .isEqualTo(ReferenceFilters.CBPFC_TOTAL);
    }
}

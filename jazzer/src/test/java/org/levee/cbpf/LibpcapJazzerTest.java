package org.levee.cbpf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.testing.fuzz.FuzzFamily;

/**
 * The tcpdump-expression family ({@link LibpcapFuzzTest#family()}: same seeds, same checks, same
 * documented error) driven by Jazzer. Jazzer's coverage feedback covers the Java side only:
 * libpcap is not built with coverage instrumentation, so inside it Jazzer mutates blind, guided
 * by what the binding and the checks around it compare.
 */
@Tag("fuzz")
class LibpcapJazzerTest {
    private static final FuzzFamily<String> FAMILY = LibpcapFuzzTest.family();

    @BeforeAll
    static void requirements() {
        LibpcapFuzzTest.requirements();
    }

    static Stream<String> tcpdumpExpressions() {
        return FAMILY.seeds().stream();
    }

    @MethodSource
    @FuzzTest
    void tcpdumpExpressions(@NotNull String expression) throws Throwable {
        FAMILY.runOne(expression);
    }
}

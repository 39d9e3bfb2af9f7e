package org.levee.dataplane.object;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.testing.fuzz.FuzzFamily;

/**
 * The rule-set object family ({@link RuleSetObjectFuzzTest#objectFamily()}: ELF reader, metadata,
 * round trip; same seeds, same checks, same documented error) driven by Jazzer, with coverage
 * feedback from every class of Levee it runs.
 */
@Tag("fuzz")
class RuleSetObjectJazzerTest {
    private static FuzzFamily<byte[]> family;

    @BeforeAll
    static void compileSeeds() {
        RuleSetObjectFuzzTest.requireLibpcap();
        family = RuleSetObjectFuzzTest.objectFamily();
    }

    static Stream<byte[]> ruleSetObjects() {
        RuleSetObjectFuzzTest.requireLibpcap();
        return RuleSetObjectFuzzTest.objects().stream();
    }

    @MethodSource
    @FuzzTest
    void ruleSetObjects(byte @NotNull [] object) throws Throwable {
        family.runOne(object);
    }
}

package org.levee.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.levee.lab.GeneratorKind;

class SoakTest {
    static final Footprint STEADY = new Footprint(10 << 20, 80, 7, 0, 0, 10);

    @Test
    void theSameFootprintPassesAndEveryKindOfLeakFails() {
        assertThat(Soak.footprintCheck(STEADY, 1, STEADY).passed()).isTrue();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(13 << 20, 80, 7, 0, 0, 10))
                        .passed())
                .as("heap within the margin")
                .isTrue();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(20 << 20, 80, 7, 0, 0, 10))
                        .passed())
                .as("heap")
                .isFalse();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(10 << 20, 81, 7, 0, 0, 10))
                        .passed())
                .as("a descriptor")
                .isFalse();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(10 << 20, 81, 8, 0, 0, 10))
                        .passed())
                .as("a map")
                .isFalse();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(10 << 20, 81, 7, 1, 0, 10))
                        .passed())
                .as("a program")
                .isFalse();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(10 << 20, 81, 7, 0, 1, 10))
                        .passed())
                .as("a link")
                .isFalse();
        assertThat(Soak.footprintCheck(STEADY, 1, new Footprint(10 << 20, 80, 7, 0, 0, 11))
                        .passed())
                .as("a pin")
                .isFalse();
    }

    @Test
    void theXdpProgramIsReadFromIpsJson() {
        assertThat(
                        Soak.xdpProgram(
                                "[{\"ifindex\":7,\"ifname\":\"lv0\",\"xdp\":{\"mode\":1,\"prog\":{\"id\":812,\"name\":\"levee\"}}}]"))
                .contains(812L);
        assertThat(Soak.xdpProgram("[{\"ifindex\":7,\"ifname\":\"lv0\"}]")).isEmpty();
        assertThat(Soak.xdpProgram("not json")).isEmpty();
    }

    @Test
    void aSoakShorterThanTwoCyclesIsRefusedWithTheMinimum() {
        assertThatThrownBy(() -> new Soak.Options(Duration.ofSeconds(59), 1000, GeneratorKind.SOCKET, Path.of("r")))
                .hasMessageContaining("at least 60 s")
                .hasMessageContaining("not 59 s");
        assertThat(new Soak.Options(Duration.ofMinutes(2), 1000, GeneratorKind.SOCKET, Path.of("r")).cycles())
                .isEqualTo(4);
    }

    @Test
    void theSteadyLevelIsTheSecondCycleOnceThereAreThreeAndTheDetailNamesIt() {
        assertThat(new Soak.Options(Duration.ofSeconds(60), 1000, GeneratorKind.SOCKET, Path.of("r")).steadyCycle())
                .isZero();
        assertThat(new Soak.Options(Duration.ofSeconds(90), 1000, GeneratorKind.SOCKET, Path.of("r")).steadyCycle())
                .isEqualTo(1);
        assertThat(Soak.footprintCheck(STEADY, 1, STEADY).detail()).startsWith("after cycle 2: ");
    }
}

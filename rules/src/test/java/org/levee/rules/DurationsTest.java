package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Duration> randomDurations() {
        SplittableRandom random = new SplittableRandom(0x7e57_d0a7L);
        return LongStream.range(0, 200)
                .mapToObj(i -> Duration.ofMillis(
                        random.nextLong(0, 40L * 86_400_000L) / (i % 2 == 0 ? 1000 : 1) * (i % 2 == 0 ? 1000 : 1)));
    }

    @ParameterizedTest
    @MethodSource("randomDurations")
    void formatReadsBackAsTheSameDuration(Duration d) {
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1h", "90s", "1h30m", "2d", "500ms"})
    void readsTheDocumentedForms(String text) {
        Duration expected = switch (text) {
            case "1h" -> Duration.ofHours(1);
            case "90s" -> Duration.ofSeconds(90);
            case "1h30m" -> Duration.ofMinutes(90);
            case "2d" -> Duration.ofDays(2);
            default -> Duration.ofMillis(500);
        };
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "h", "1 h", "1hour", "-1h", "1h-", "1.5h"})
    void rejectsWhatIsNotADurationSayingWhatIsExpected(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("90s");
    }
}

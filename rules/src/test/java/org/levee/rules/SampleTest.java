package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SampleTest {

    @Test
    void badFieldsAreNamed() {
        assertThatThrownBy(() -> new Sample(new byte[10], 5, 1, 0, "ams", "n"))
                .hasMessageContaining("'wireLength' is 5, shorter than the 10 captured bytes");
        assertThatThrownBy(() -> new Sample(new byte[10], 10, 0, 0, "ams", "n"))
                .hasMessageContaining("'samplingRate' is 0");
        assertThatThrownBy(() -> new Sample(new byte[10], 10, 1, -1, "ams", "n"))
                .hasMessageContaining("'timestampNanos' is -1");
        assertThatThrownBy(() -> new Sample(new byte[10], 10, 1, 0, null, "n"))
                .hasMessageContaining("'datacenter' is null");
    }

    @Test
    void anotherTimeKeepsTheSameBytes() {
        Sample s = new Sample(new byte[] {1, 2}, 60, 100, 5, "ams", "n");
        Sample later = s.withTimestamp(9);
        assertThat(later.packet()).isSameAs(s.packet());
        assertThat(later.timestampNanos()).isEqualTo(9);
        assertThat(later.wireLength()).isEqualTo(60);
    }
}

package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.rules.GuardSettings;
import org.levee.rules.ProtectedEndpoint;

class GuardSectionTest {

    private static GuardSettings read(String yaml) {
        ConfigReader r = new ConfigReader();
        GuardSettings s = GuardSection.read(
                r, ConfigReader.parseYaml("c.yaml", yaml).get("guard"), "guard", GuardSettings.defaults());
        r.throwIfProblems("c.yaml");
        return s;
    }

    @Test
    void absentMeansTheDefaults() {
        assertThat(read("other: 1\n")).isEqualTo(GuardSettings.defaults());
        assertThat(GuardSettings.defaults().maxLegitimateShare()).isEqualTo(0.01);
        assertThat(GuardSettings.defaults().endpoints(List.of(ProtectedEndpoint.ssh())))
                .containsExactly(ProtectedEndpoint.ssh());
    }

    @Test
    void readsEveryKey() {
        GuardSettings s =
                read("guard:\n  protected: ['tcp 192.0.2.10:443', 'udp [2001:db8::53]:53']\n  protect_defaults: false\n"
                        + "  max_legitimate_share: 2.5%\n");
        assertThat(s.protectedEndpoints())
                .extracting(ProtectedEndpoint::endpoint)
                .containsExactly("tcp 192.0.2.10:443", "udp [2001:db8::53]:53");
        assertThat(s.protectDefaults()).isFalse();
        assertThat(s.maxLegitimateShare()).isEqualTo(0.025);
        assertThat(s.endpoints(List.of(ProtectedEndpoint.ssh()))).hasSize(2);
        assertThat(read("guard:\n  max_legitimate_share: 0.2\n").maxLegitimateShare())
                .isEqualTo(0.2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            guard: {protected: 'tcp *:22'}                   | guard.protected: must be a list of endpoints
            guard: {protected: ['tcp *:22', 'icmp *:1']}     | guard.protected[1]: 'icmp *:1': protocol 'icmp' is neither tcp nor udp
            guard: {protected: [{port: 22}]}                 | guard.protected[0]: must be a string like 'tcp 192.0.2.10:443'
            guard: {max_legitimate_share: 150%}              | guard.max_legitimate_share: '150%' is not a share in 0..1
            guard: {max_legitimate_share: lots}              | guard.max_legitimate_share: 'lots' is not a share (0.01 or 1%)
            guard: {protect_defaults: maybe}                 | guard.protect_defaults: must be true or false
            guard: {shield: true}                            | guard.shield
            """)
    void badValuesNameTheKey(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}

package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetKeysTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void theDefaultLayoutIsTheDocumentedOne() {
        FleetKeys keys = FleetKeys.defaults();
        assertThat(keys.rules()).isEqualTo("/levee/rules/");
        assertThat(keys.rule("syn-1")).isEqualTo("/levee/rules/syn-1");
        assertThat(keys.objects()).isEqualTo("/levee/objects/");
        assertThat(keys.object(SHA)).isEqualTo("/levee/objects/" + SHA + "/");
        assertThat(keys.chunk(SHA, 0)).isEqualTo("/levee/objects/" + SHA + "/0");
        assertThat(keys.chunk(SHA, 12)).isEqualTo("/levee/objects/" + SHA + "/12");
        assertThat(keys.gzipChunk(SHA, 3)).isEqualTo("/levee/objects/" + SHA + "/gzip/3");
        assertThat(keys.ruleset()).isEqualTo("/levee/ruleset");
        assertThat(keys.nodes()).isEqualTo("/levee/nodes/");
        assertThat(keys.node("ams1", "edge-3")).isEqualTo("/levee/nodes/ams1/edge-3");
        assertThat(keys.leader()).isEqualTo("/levee/leader");
        assertThat(new FleetKeys("/prod/levee/").ruleset()).isEqualTo("/prod/levee/ruleset");
    }

    @Test
    void ruleIdsComeBackFromTheirKeys() {
        FleetKeys keys = FleetKeys.defaults();
        assertThat(keys.ruleId(keys.rule("dns-amp"))).isEqualTo(Optional.of("dns-amp"));
        assertThat(keys.ruleId("/levee/rules/")).isEmpty();
        assertThat(keys.ruleId("/levee/rules/a/b")).isEmpty();
        assertThat(keys.ruleId("/levee/ruleset")).isEmpty();
    }

    @Test
    void badPrefixesAndNamesAreRefusedNamingThem() {
        assertThatThrownBy(() -> new FleetKeys("/levee"))
                .hasMessage("etcd prefix '/levee' must start and end with '/' (e.g. /levee/)");
        assertThatThrownBy(() -> new FleetKeys("levee/")).hasMessageContaining("'levee/'");
        assertThatThrownBy(() -> new FleetKeys("/a//b/")).hasMessageContaining("'/a//b/'");
        FleetKeys keys = FleetKeys.defaults();
        assertThatThrownBy(() -> keys.node("ams/1", "edge"))
                .hasMessage(
                        "data center 'ams/1' has a '/' or a control character at offset 3 (it becomes part of an etcd key)");
        assertThatThrownBy(() -> keys.node("ams1", "")).hasMessage("node name is empty");
        assertThatThrownBy(() -> keys.rule("a\nb"))
                .hasMessageContaining("rule id 'a?b'")
                .hasMessageContaining("offset 1");
        assertThatThrownBy(() -> keys.object("xyz")).hasMessage("SHA-256 'xyz' must be 64 lowercase hex digits");
        assertThatThrownBy(() -> keys.chunk(SHA, -1)).hasMessage("chunk number -1 is negative");
        assertThatThrownBy(() -> keys.gzipChunk(SHA, -1)).hasMessage("chunk number -1 is negative");
    }
}

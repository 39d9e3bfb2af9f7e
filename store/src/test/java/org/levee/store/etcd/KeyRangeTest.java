package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyRangeTest {

    @Test
    void aPrefixEndsAtThePrefixWithItsLastByteIncremented() {
        assertThat(KeyRange.prefix("/levee/").endBytes()).containsExactly('/', 'l', 'e', 'v', 'e', 'e', '0');
        assertThat(KeyRange.prefixEnd(new byte[] {'a', (byte) 0xff})).containsExactly('b');
        assertThat(KeyRange.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff})).containsExactly(0);
        assertThat(KeyRange.key("/levee/ruleset").endBytes()).isEmpty();
        assertThat(KeyRange.prefix("/levee/nodes/").contains("/levee/nodes/ams1/e1"))
                .isTrue();
        assertThat(KeyRange.key("/levee/ruleset").contains("/levee/ruleset2")).isFalse();
    }
}

package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;

/** Parsing and validation of the lab's small value types, with the errors that name what is wrong. */
class LabValuesTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void macAddressesRoundTrip(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 200; i++) {
            MacAddress mac = new MacAddress(random.nextLong(1L << 48));
            assertThat(MacAddress.parse(mac.toString())).isEqualTo(mac);
            assertThat(MacAddress.of(mac.bytes())).isEqualTo(mac);
        }
    }

    @Test
    void badValuesAreRefusedWithWhatAndWhere() {
        assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00"))
                .hasMessageContaining("'02:00:00:00:00' is not a MAC address");
        assertThatThrownBy(() -> Subnet24.parse("198.51.100.7/24")).hasMessageContaining("not a /24 subnet");
        assertThatThrownBy(() -> new RandomNumber(40, 3, 0, 1)).hasMessageContaining("offset 40: length 3");
        assertThatThrownBy(() -> new RandomNumber(40, 1, 0, 256))
                .hasMessageContaining("range [0, 256] does not fit 1 bytes");
        assertThatThrownBy(() -> new RandomLabel(55, 64)).hasMessageContaining("offset 55: length 64");
        assertThatThrownBy(() -> new RandomSource(
                        26, List.of(Subnet24.parse("198.51.100.0/24"), Subnet24.parse("198.51.101.0/24"))))
                .hasMessageContaining("198.51.100.0/24 and 198.51.101.0/24 are neighbours");
        assertThatThrownBy(() -> FloodKind.byId("smurf"))
                .hasMessageContaining("unknown flood kind 'smurf'")
                .hasMessageContaining("dns-amp");
    }

    @Test
    void subnetsContainTheirAddresses() {
        Subnet24 clients = Subnet24.parse("198.51.100.0/24");
        assertThat(clients).hasToString("198.51.100.0/24");
        assertThat(clients.contains(LabFixtures.ipv4("198.51.100.255"))).isTrue();
        assertThat(clients.contains(LabFixtures.ipv4("198.51.101.0"))).isFalse();
    }

    @Test
    void aSubnetAsALittleEndianLoadSeesIt() {
        byte[] source = LabFixtures.ipv4("198.51.100.77").getAddress();
        int load = ByteBuffer.wrap(source).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertThat(load & 0xffffff).isEqualTo(Subnet24.parse("198.51.100.0/24").littleEndianLow24());
        assertThat(load & 0xffffff)
                .isNotEqualTo(Subnet24.parse("198.51.101.0/24").littleEndianLow24());
    }

    @Test
    void recipesRefuseFieldsOverChecksumsOrOutsideTheFrame() {
        FrameRecipe syn = FloodFrames.recipe(FloodKind.SYN_FLOOD, LabFixtures.path());
        byte[] frame = syn.template();
        assertThatThrownBy(
                        () -> new FrameRecipe(FloodKind.SYN_FLOOD, frame, List.of(new RandomNumber(24, 2, 0, 65535))))
                .hasMessageContaining("SYN_FLOOD field 0")
                .hasMessageContaining("overlaps a checksum");
        assertThatThrownBy(() -> new FrameRecipe(FloodKind.SYN_FLOOD, frame, List.of(new RandomNumber(50, 1, 0, 1))))
                .hasMessageContaining("overlaps a checksum");
        assertThatThrownBy(() -> new FrameRecipe(FloodKind.SYN_FLOOD, frame, List.of(new RandomNumber(72, 4, 0, 1))))
                .hasMessageContaining("lies outside the IP packet (bytes 14–73)");
        assertThatThrownBy(() -> new FrameRecipe(FloodKind.SYN_FLOOD, frame, List.of(new RandomNumber(16, 2, 0, 1))))
                .hasMessageContaining("overlaps the IPv4 version, length or protocol");
        byte[] shortened = java.util.Arrays.copyOf(frame, frame.length - 1);
        assertThatThrownBy(() -> new FrameRecipe(FloodKind.SYN_FLOOD, shortened, List.of()))
                .hasMessageContaining("IPv4 length 60 does not match the frame's 73 bytes");
        FrameRecipe syn6 = FloodFrames.recipe(FloodKind.SYN_FLOOD_V6, LabFixtures.path());
        byte[] frame6 = syn6.template();
        assertThatThrownBy(
                        () -> new FrameRecipe(FloodKind.SYN_FLOOD_V6, frame6, List.of(new RandomNumber(18, 2, 0, 1))))
                .hasMessageContaining("overlaps the IPv6 version, length or next header");
        assertThatThrownBy(
                        () -> new FrameRecipe(FloodKind.SYN_FLOOD_V6, frame6, List.of(new RandomNumber(70, 2, 0, 1))))
                .hasMessageContaining("overlaps a checksum");
        assertThatThrownBy(() -> new FrameRecipe(
                        FloodKind.SYN_FLOOD_V6, frame6, List.of(new FrameField.RandomSource(22, List.of()))))
                .hasMessageContaining("is a source of the wrong family for IPv6");
        assertThatThrownBy(() -> new FrameRecipe(FloodKind.SYN_FLOOD, frame, List.of(new FrameField.RandomSource6(26))))
                .hasMessageContaining("is a source of the wrong family for IPv4");
    }

    @Test
    void changingWordsCoverEveryRandomByte() {
        for (FloodKind kind : FloodKind.values()) {
            FrameRecipe recipe = FloodFrames.recipe(kind, LabFixtures.path());
            for (FrameField f : recipe.fields()) {
                for (int b = f.offset(); b < f.offset() + f.length(); b++) {
                    assertThat(recipe.changingWords())
                            .as("%s byte %d of %s", kind, b, f)
                            .contains(b & ~1);
                }
            }
            if (kind.ipv6()) {
                assertThat(recipe.changingIpWords())
                        .as("%s: IPv6 has no header checksum", kind)
                        .isEmpty();
                assertThat(recipe.changingL4Words())
                        .as("%s pseudo-header source words", kind)
                        .contains(22, 24, 26, 28, 30, 32, 34, 36);
            } else {
                assertThat(recipe.changingIpWords())
                        .as("%s source address words", kind)
                        .contains(26, 28);
                assertThat(recipe.changingL4Words())
                        .as("%s pseudo-header source words", kind)
                        .contains(26, 28);
            }
        }
    }
}

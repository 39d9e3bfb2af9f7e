package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RegistrationJsonTest {

    static LongStream seeds() {
        return LongStream.range(0, 30).map(i -> 0x2e61_0000L + i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void registrationsReadBackEqual(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ObjectNode counters = JsonNodeFactory.instance.objectNode();
        counters.put("seen", random.nextLong(0, Long.MAX_VALUE));
        counters.putObject("rules")
                .putObject("r1")
                .put("packets", random.nextInt(1000))
                .put("bytes", random.nextInt(100_000));
        Registration r = new Registration(
                "edge-" + random.nextInt(100),
                "dc" + random.nextInt(9),
                random.nextBoolean() ? Optional.of("192.0.2." + random.nextInt(256)) : Optional.empty(),
                random.nextBoolean() ? Optional.of("eth" + random.nextInt(4)) : Optional.empty(),
                random.nextLong(0, 1000),
                random.nextLong(0, 100_000),
                random.nextBoolean() ? Optional.of(Instant.ofEpochMilli(random.nextLong(1L << 42))) : Optional.empty(),
                Optional.of(Instant.ofEpochMilli(random.nextLong(1L << 42))),
                random.nextBoolean() ? counters : null,
                random.nextBoolean() ? Optional.of(String.format("%016x", random.nextLong())) : Optional.empty(),
                random.nextBoolean()
                        ? Optional.of(new Registration.Refusal(
                                random.nextBoolean() ? "signature" : "digest",
                                random.nextLong(0, 1000),
                                random.nextLong(0, 1 << 20),
                                "manifest at /levee/ruleset: \"why\" " + random.nextInt(),
                                Instant.ofEpochMilli(random.nextLong(1L << 42))))
                        : Optional.empty());
        Registration back = RegistrationJson.decode(RegistrationJson.encode(r), "/levee/nodes/x/y");
        assertThat(back.node()).isEqualTo(r.node());
        assertThat(back.sflowAgent()).isEqualTo(r.sflowAgent());
        assertThat(back.iface()).isEqualTo(r.iface());
        assertThat(back.version()).isEqualTo(r.version());
        assertThat(back.programId()).isEqualTo(r.programId());
        assertThat(back.applied()).isEqualTo(r.applied());
        assertThat(back.reported()).isEqualTo(r.reported());
        assertThat(back.counters()).isEqualTo(r.counters());
        assertThat(back.signedBy()).isEqualTo(r.signedBy());
        assertThat(back.refused()).isEqualTo(r.refused());
    }

    @Test
    void onlyNodeAndDatacenterAreRequiredAndLaterFieldsAreIgnored() {
        Registration r = RegistrationJson.decode(
                "{\"node\": \"e\", \"datacenter\": \"ams1\", \"mood\": 1, \"version\": null}"
                        .getBytes(StandardCharsets.UTF_8),
                "k");
        assertThat(r.version()).isZero();
        assertThat(r.applied()).isEmpty();
        assertThat(r.counters().isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"datacenter": "a"}                                        | field 'node' is missing
            {"node": "e", "datacenter": "a", "version": "7"}           | field 'version' must be a whole number
            {"node": "e", "datacenter": "a", "sflow_agent": "edge.example"} | field 'sflow_agent' must be an IP address
            {"node": "e", "datacenter": "a", "applied": "noon"}        | field 'applied' must be an RFC 3339 time
            {"node": "e", "datacenter": "a", "counters": 3}            | field 'counters' must be an object
            {"node": "e", "node": "f", "datacenter": "a"}              | is not valid JSON
            {"node": "e", "datacenter": "a", "signed_by": "A1B2"}      | field 'signed_by' must be a key id (16 lowercase hex digits), got "A1B2"
            {"node": "e", "datacenter": "a", "refused": "yes"}         | field 'refused' must be an object
            {"node": "e", "datacenter": "a", "refused": {"at": "2026-12-07T06:08:13Z"}} | field 'refused.reason' is missing
            {"node": "e", "datacenter": "a", "refused": {"reason": "signature"}} | field 'refused.at' is missing
            {"node": "e", "datacenter": "a", "refused": {"reason": "signature", "at": "2026-12-07T06:08:13Z", "version": -1}} | field 'refused.version' must be a whole number
            """)
    void badFieldsAreNamed(String json, String message) {
        assertThatThrownBy(() -> RegistrationJson.decode(json.getBytes(StandardCharsets.UTF_8), "/levee/nodes/a/e"))
                .hasMessageStartingWith("registration at /levee/nodes/a/e: ")
                .hasMessageContaining(message);
    }

    @Test
    void agentAddressesAreLiteralsOnly() {
        assertThat(RegistrationJson.agentAddress("192.0.2.1"))
                .get()
                .extracting(a -> a.getHostAddress())
                .isEqualTo("192.0.2.1");
        assertThat(RegistrationJson.agentAddress("2001:db8::1")).isPresent();
        assertThat(RegistrationJson.agentAddress("12345")).isEmpty();
    }

    @Test
    void nodeKeysNameTheirDatacenterAndNode() {
        FleetKeys keys = FleetKeys.defaults();
        assertThat(keys.nodeOf(keys.node("ams1", "edge-1")))
                .get()
                .satisfies(p -> assertThat(p).containsExactly("ams1", "edge-1"));
        assertThat(keys.nodeOf("/levee/nodes/ams1")).isEmpty();
        assertThat(keys.nodeOf("/levee/rules/x")).isEmpty();
        assertThat(keys.problems()).isEqualTo("/levee/problems");
    }
}

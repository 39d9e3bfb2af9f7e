package org.levee.dataplane.object;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.elf.BpfObject;
import org.levee.ebpf.elf.DataSection;
import org.levee.ebpf.elf.ElfFormatException;
import org.levee.ebpf.elf.ElfReader;
import org.levee.ebpf.elf.ElfWriter;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes rule-set objects as an edge reads them ({@link RuleSetObject#fromElf}, then what
 * {@code levee ruleset inspect} and specialisation ask of the result): whole object files, and
 * the JSON metadata of {@code .levee.rules} inside an otherwise valid object, where byte-level
 * mutation of the file rarely reaches. A bad object must be a {@link RuleSetObjectException}
 * naming the file, whose cause (if any) is one of the documented errors below it — never a bug of
 * the ELF reader passed off as a bad file; an object that is read must survive
 * {@link RuleSetObject#toElf()} and read back equal.
 */
@Tag("fuzz")
class RuleSetObjectFuzzTest {
    static final String MIXED = """
            version: "2026-12-07.1"
            rules:
              - id: memcached-amp
                filter: udp and src port 11211
                destinations: [198.51.100.0/24, "2001:db8::/32"]
                datacenters: [ams, fra]
                action: ratelimit
                pps: 1000
                burst: 50
                expires: 2030-11-26T00:00:00Z
                comment: amplification
                origin: auto
              - {id: dns-flood, dns: ["*.example.com", "example.net"], dns_ignore_case: true, action: drop}
              - {id: syn, p0f: "4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0", action: pass}
              - {id: raw, cbpf: "1,6 0 0 1", action: drop}
            """;
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final String ERROR = "^fuzz\\.o: \\S";

    @BeforeAll
    static void requireLibpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    /** What the edge and {@code levee ruleset inspect} do with an object read, and the round trip. */
    private static void read(byte[] file) {
        RuleSetObject object;
        try {
            object = RuleSetObject.fromElf("fuzz.o", file);
        } catch (RuleSetObjectException e) {
            // The direct cause only: the JDK's DateTimeParseException has causes of its own.
            Throwable cause = e.getCause();
            if (cause != null
                    && !(cause instanceof ElfFormatException
                            || cause instanceof JsonProcessingException
                            || cause instanceof DateTimeParseException
                            || cause instanceof IllegalArgumentException)) {
                throw new AssertionError("a RuleSetObjectException hides " + cause, e);
            }
            throw e;
        }
        for (String datacenter : new String[] {null, "ams", "fra"}) {
            Map<String, Long> constants = object.constants(datacenter, NOW);
            if (constants.size() != object.rules().size()) {
                throw new AssertionError(
                        constants.size() + " constants for " + object.rules().size() + " rules");
            }
        }
        for (RuleInfo rule : object.rules()) {
            // What `levee ruleset inspect` prints: every field must be readable (the length is only used so it is
            // computed).
            int printed = String.join(
                            " ",
                            rule.id(),
                            rule.match(),
                            rule.action().keyword(),
                            rule.origin().keyword(),
                            rule.comment(),
                            String.valueOf(rule.destinations()),
                            String.valueOf(rule.datacenters()),
                            String.valueOf(rule.expires()))
                    .length();
            if (printed == 0) {
                throw new AssertionError("rule " + rule.id() + " prints as nothing");
            }
        }
        if (!RuleSetObject.fromElf("again.o", object.toElf()).equals(object)) {
            throw new AssertionError("the object does not read back the same after toElf()");
        }
    }

    static List<byte[]> objects() {
        return List.of(
                RuleSetObjectTest.compile(RuleSetObjectTest.RULES, 30_000).toElf(),
                RuleSetObjectTest.compile(RuleSetObjectTest.RULES, 1).toElf(),
                RuleSetObjectTest.compile(MIXED, 30_000).toElf(),
                RuleSetObjectTest.compile(MIXED, 2).toElf());
    }

    /** The family of whole files, also run coverage-guided by the jazzer module under {@code -Pfuzz}. */
    static FuzzFamily<byte[]> objectFamily() {
        return FuzzFamily.bytes("rule-set objects")
                .seeds(objects())
                .target(RuleSetObjectFuzzTest::read)
                .rejects(RuleSetObjectException.class, ERROR)
                .build();
    }

    @Test
    void ruleSetObjects() {
        FuzzRunner.run(objectFamily()).assertNoCrashes();
    }

    @Test
    void ruleSetMetadata() {
        BpfObject base = ElfReader.read(RuleSetObjectTest.compile(MIXED, 30_000).toElf());
        String metadata = new String(base.dataSections().getFirst().data(), StandardCharsets.UTF_8);
        FuzzRunner.run(FuzzFamily.text("rule-set object metadata (JSON)")
                        .seeds(
                                metadata,
                                metadata.replaceAll("\\s+", ""),
                                metadata.replace("\"comment\" : \"\"", "\"comment\" : null"))
                        .dictionary(
                                "{",
                                "}",
                                "[",
                                "]",
                                ",",
                                ":",
                                "\"",
                                "null",
                                "true",
                                "false",
                                "0",
                                "-1",
                                "1e999",
                                "\"\\u0000\"",
                                "\"format\"",
                                "\"version\"",
                                "\"sample_bytes\"",
                                "\"programs\"",
                                "\"rules\"",
                                "\"id\"",
                                "\"match\"",
                                "\"destinations\"",
                                "\"datacenters\"",
                                "\"action\"",
                                "\"pps\"",
                                "\"burst\"",
                                "\"expires\"",
                                "\"origin\"",
                                "\"comment\"",
                                "\"drop\"",
                                "\"pass\"",
                                "\"ratelimit\"",
                                "\"manual\"",
                                "\"auto\"",
                                "\"2030-01-01T00:00:00Z\"",
                                "\"syn\"",
                                "\"raw\"",
                                "\"dns-flood\"",
                                "\"memcached-amp\"",
                                "\"ams\"")
                        .target(json -> read(ElfWriter.write(new BpfObject(
                                base.license(),
                                base.programs(),
                                base.maps(),
                                base.constants(),
                                List.of(new DataSection(
                                        RuleSetObject.METADATA_SECTION, json.getBytes(StandardCharsets.UTF_8)))))))
                        .rejects(RuleSetObjectException.class, ERROR)
                        .build())
                .assertNoCrashes();
    }
}

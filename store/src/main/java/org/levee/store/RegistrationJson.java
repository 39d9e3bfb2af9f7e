package org.levee.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A {@link Registration}'s JSON, both ways. The fields are {@code node}, {@code datacenter},
 * {@code sflow_agent}, {@code interface}, {@code version}, {@code program_id}, {@code applied},
 * {@code reported}, {@code counters}, {@code signed_by} and {@code refused} ({@code reason},
 * {@code version}, {@code revision}, {@code message}, {@code at}); only {@code node} and
 * {@code datacenter} are required,
 * the others may be absent or null, and fields a later edge adds are ignored. A value of the
 * wrong type is refused with a message naming the key and the field.
 */
public final class RegistrationJson {
    private RegistrationJson() {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The registration as a JSON object. */
    public static ObjectNode toJson(Registration r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("node", r.node());
        n.put("datacenter", r.datacenter());
        r.sflowAgent().ifPresent(a -> n.put("sflow_agent", a));
        r.iface().ifPresent(i -> n.put("interface", i));
        n.put("version", r.version());
        n.put("program_id", r.programId());
        r.applied().ifPresent(a -> n.put("applied", a.toString()));
        r.reported().ifPresent(a -> n.put("reported", a.toString()));
        n.set("counters", r.counters());
        r.signedBy().ifPresent(k -> n.put("signed_by", k));
        r.refused().ifPresent(x -> n.set("refused", refusal(x)));
        return n;
    }

    /** A refusal as the {@code refused} object. */
    public static ObjectNode refusal(Registration.Refusal r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("reason", r.reason());
        if (r.version() == 0) {
            n.putNull("version");
        } else {
            n.put("version", r.version());
        }
        n.put("revision", r.revision());
        n.put("message", r.message());
        n.put("at", r.at().toString());
        return n;
    }

    /** The registration as UTF-8 JSON bytes, the value of its key. */
    public static byte[] encode(Registration r) {
        try {
            return JSON.writeValueAsBytes(toJson(r));
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a registration as JSON", e);
        }
    }

    /**
     * The registration in {@code json}, read from {@code key} (named in errors).
     *
     * @throws IllegalArgumentException naming the key, the field and what is wrong
     */
    public static Registration decode(byte[] json, String key) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw bad(key, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(key, "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(key, "must be a JSON object");
        }
        String node = text(key, root, "node").orElseThrow(() -> bad(key, "field 'node' is missing"));
        String datacenter = text(key, root, "datacenter").orElseThrow(() -> bad(key, "field 'datacenter' is missing"));
        Optional<String> agent = text(key, root, "sflow_agent");
        agent.ifPresent(a -> {
            if (!a.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
                throw bad(key, "field 'sflow_agent' must be an IP address, got \"" + a + "\"");
            }
        });
        JsonNode counters = root.get("counters");
        if (counters != null && !counters.isNull() && !counters.isObject()) {
            throw bad(key, "field 'counters' must be an object, got " + counters);
        }
        Optional<String> signedBy = text(key, root, "signed_by");
        signedBy.ifPresent(k -> {
            if (!k.matches("[0-9a-f]{16}")) {
                throw bad(key, "field 'signed_by' must be a key id (16 lowercase hex digits), got \"" + k + "\"");
            }
        });
        return new Registration(
                node,
                datacenter,
                agent,
                text(key, root, "interface"),
                whole(key, root, "version"),
                whole(key, root, "program_id"),
                time(key, root, "applied"),
                time(key, root, "reported"),
                counters == null || counters.isNull() ? null : (ObjectNode) counters,
                signedBy,
                refusal(key, root.get("refused")));
    }

    private static Optional<Registration.Refusal> refusal(String key, JsonNode value) {
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw bad(key, "field 'refused' must be an object {reason, version, revision, message, at}, got " + value);
        }
        String reason =
                text(key, value, "refused.", "reason").orElseThrow(() -> bad(key, "field 'refused.reason' is missing"));
        String message = text(key, value, "refused.", "message").orElse("");
        Instant at = time(key, value, "refused.", "at").orElseThrow(() -> bad(key, "field 'refused.at' is missing"));
        return Optional.of(new Registration.Refusal(
                reason,
                whole(key, value, "refused.", "version"),
                whole(key, value, "refused.", "revision"),
                message,
                at));
    }

    /** The address in {@code sflowAgent} (a literal: no name lookup), if it is one. */
    public static Optional<InetAddress> agentAddress(String sflowAgent) {
        if (!sflowAgent.matches("[0-9.]+|[0-9a-fA-F:.]+") || (!sflowAgent.contains(".") && !sflowAgent.contains(":"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(sflowAgent));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(String key, JsonNode root, String field) {
        return text(key, root, "", field);
    }

    private static Optional<String> text(String key, JsonNode root, String path, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw bad(key, "field '" + path + field + "' must be a non-empty string, got " + v);
        }
        return Optional.of(v.asText());
    }

    private static long whole(String key, JsonNode root, String field) {
        return whole(key, root, "", field);
    }

    private static long whole(String key, JsonNode root, String path, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw bad(key, "field '" + path + field + "' must be a whole number ≥ 0, got " + v);
        }
        return v.asLong();
    }

    private static Optional<Instant> time(String key, JsonNode root, String field) {
        return time(key, root, "", field);
    }

    private static Optional<Instant> time(String key, JsonNode root, String path, String field) {
        Optional<String> text = text(key, root, path, field);
        try {
            return text.map(t -> OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            throw bad(
                    key,
                    "field '" + path + field + "' must be an RFC 3339 time such as 2026-12-07T06:08:13Z, got \""
                            + text.get() + "\"");
        }
    }

    private static IllegalArgumentException bad(String key, String what) {
        return new IllegalArgumentException("registration at " + key + ": " + what);
    }
}

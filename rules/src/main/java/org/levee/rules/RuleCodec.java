package org.levee.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.levee.cbpf.CbpfException;

/**
 * The one codec of rules: rule files (YAML or JSON: a {@code rules:} list and an optional
 * {@code version:}), the HTTP API's bodies, the agent's state file and the demo's report all
 * carry a rule in the same fields ({@code id}, one of {@code filter}, {@code cbpf}, {@code dns},
 * {@code p0f}, {@code dns_ignore_case}, {@code cbpf_description}, {@code destinations},
 * {@code datacenters}, {@code action}, {@code pps}, {@code burst}, {@code expires}, {@code comment},
 * {@code origin}, {@code upstream}), read and written here. The last two additions,
 * {@code cbpf_description} (what the detector's classic BPF was compiled from) and {@code upstream}
 * ({@code flowspec} or {@code blackhole}), are written only when set, so rules without them read
 * and write exactly as before. Reading collects every problem before failing, each naming the rule and field, so one
 * run reports everything to fix; a rule (set) is returned only when it has none.
 */
public final class RuleCodec {
    private RuleCodec() {}

    private static final Set<String> TOP_LEVEL = Set.of("version", "rules");
    private static final Set<String> RULE_FIELDS = Set.of(
            "id",
            "filter",
            "cbpf",
            "cbpf_description",
            "dns",
            "dns_ignore_case",
            "p0f",
            "destinations",
            "datacenters",
            "action",
            "pps",
            "burst",
            "expires",
            "comment",
            "origin",
            "upstream");
    private static final List<String> SOURCES = List.of("filter", "cbpf", "dns", "p0f");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new JsonMapper();
    private static final String RULE_FIELDS_HINT = "must be a mapping of fields (id, filter, action, …)";

    /** Reads the rule file at {@code path} (JSON when it ends in .json or starts with '{', else YAML). */
    public static RuleSet parse(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new RuleSetException(path.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(path.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Parses {@code text}; {@code source} names it in errors.
     *
     * @throws RuleSetException listing every problem
     */
    public static RuleSet parse(String source, String text) {
        boolean json = source.endsWith(".json") || text.stripLeading().startsWith("{");
        JsonNode root;
        try {
            root = json ? YamlTrees.readJson(text) : YamlTrees.readYaml(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new RuleSetException(
                    source, List.of("not valid " + (json ? "JSON" : "YAML") + where + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new RuleSetException(source, List.of("the file must be a mapping with a 'rules:' list"));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_LEVEL.contains(name)) {
                problems.add(fieldName(name) + ": unknown field (expected 'rules' and optionally 'version')");
            }
        }
        String version = null;
        JsonNode versionNode = root.get("version");
        if (versionNode != null) {
            if (!versionNode.isValueNode()
                    || versionNode.asText().isBlank()
                    || versionNode.asText().length() > 64) {
                problems.add("version: must be a non-empty string of at most 64 characters");
            } else if (unpairedSurrogate(versionNode.asText()) >= 0) {
                problems.add("version: " + notUnicode(versionNode.asText()));
            } else {
                version = versionNode.asText();
            }
        }
        JsonNode rulesNode = root.get("rules");
        List<Rule> rules = new ArrayList<>();
        if (rulesNode == null || rulesNode.isNull()) {
            problems.add("rules: missing (an empty rule set is 'rules: []')");
        } else if (!rulesNode.isArray()) {
            problems.add("rules: must be a list");
        } else {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < rulesNode.size(); i++) {
                RuleReader reader = new RuleReader("rules[" + i + "]", rulesNode.get(i), problems);
                Optional<Rule> rule = reader.read();
                if (rule.isPresent() && !ids.add(rule.get().id())) {
                    problems.add(reader.where() + ": id: '" + rule.get().id() + "' is used by an earlier rule");
                } else {
                    rule.ifPresent(rules::add);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleSetException(source, problems);
        }
        return new RuleSet(version == null ? digest(text) : version, rules);
    }

    /**
     * Reads one rule from the fields of a rule file ({@code source} names it in errors).
     *
     * @throws RuleSetException with one problem per bad field, each starting with the field's name
     */
    public static Rule readRule(String source, JsonNode node) {
        List<String> problems = new ArrayList<>();
        Optional<Rule> rule = new RuleReader("", node, problems).read();
        if (!problems.isEmpty()) {
            throw new RuleSetException(source, problems);
        }
        return rule.orElseThrow();
    }

    /**
     * The fields of {@code rule}, every one present (empty lists and comment included) except
     * {@code cbpf_description} and {@code upstream}, which are there when set: what the API
     * answers, the state file keeps and rule files accept.
     */
    public static ObjectNode writeRule(Rule rule) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", rule.id());
        switch (rule.match()) {
            case Match.Filter f -> n.put("filter", f.expression());
            case Match.Cbpf c -> {
                n.put("cbpf", c.bytecode());
                if (!c.description().isEmpty()) {
                    n.put("cbpf_description", c.description());
                }
            }
            case Match.Dns d -> {
                ArrayNode patterns = n.putArray("dns");
                d.patterns().forEach(patterns::add);
                if (d.ignoreCase()) {
                    n.put("dns_ignore_case", true);
                }
            }
            case Match.P0f p -> n.put("p0f", p.signature());
        }
        ArrayNode destinations = n.putArray("destinations");
        rule.destinations().stream().map(Prefix::toString).forEach(destinations::add);
        ArrayNode datacenters = n.putArray("datacenters");
        rule.datacenters().forEach(datacenters::add);
        n.put("action", rule.action().keyword());
        if (rule.action() instanceof Action.RateLimit r) {
            n.put("pps", r.pps());
            n.put("burst", r.burst());
        }
        rule.expires().ifPresent(e -> n.put("expires", e.toString()));
        n.put("comment", rule.comment());
        n.put("origin", rule.origin().keyword());
        rule.upstream().ifPresent(u -> n.put("upstream", u.keyword()));
        return n;
    }

    /** {@code rules} as a YAML rule file that {@link #parse} reads back equal. */
    public static String writeYaml(RuleSet rules) {
        return write(YAML, rules);
    }

    /** {@code rules} as a JSON rule file that {@link #parse} reads back equal. */
    public static String writeJson(RuleSet rules) {
        return write(JSON, rules);
    }

    private static String write(ObjectMapper mapper, RuleSet rules) {
        ObjectNode root = mapper.createObjectNode();
        root.put("version", rules.version());
        ArrayNode list = root.putArray("rules");
        rules.rules().forEach(rule -> list.add(writeRule(rule)));
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a rule set to memory", e);
        }
    }

    /**
     * {@code sha256-} and 12 hex digits of the rules' JSON, one rule a line: equal rules give an
     * equal version, on every node.
     */
    public static String version(List<Rule> rules) {
        StringBuilder text = new StringBuilder();
        for (Rule rule : rules) {
            text.append(writeRule(rule)).append('\n');
        }
        return digest(text.toString());
    }

    /** The first 12 hex digits of the SHA-256 of the file: the version of a file that names none. */
    static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Reads one rule, adding a problem for each bad field. In a rule set, problems start with the
     * rule's place ({@code rules[3] (id memcached-amp): }); a rule read alone has none.
     */
    private static final class RuleReader {
        private final String place;
        private final JsonNode node;
        private final List<String> problems;
        private String id;
        private boolean ok = true;

        RuleReader(String place, JsonNode node, List<String> problems) {
            this.place = place;
            this.node = node;
            this.problems = problems;
        }

        String where() {
            return place + (id == null || place.isEmpty() ? "" : " (id " + id + ")");
        }

        private void problem(String field, String what) {
            problems.add(prefix() + field + ": " + what);
            ok = false;
        }

        private String prefix() {
            return place.isEmpty() ? "" : where() + ": ";
        }

        Optional<Rule> read() {
            if (node == null || !node.isObject()) {
                problems.add(prefix() + RULE_FIELDS_HINT);
                return Optional.empty();
            }
            JsonNode idNode = node.get("id");
            if (idNode != null && idNode.isValueNode()) {
                id = idNode.asText(); // named in later messages even when invalid, to help find the rule
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                String name = it.next().getKey();
                if (!RULE_FIELDS.contains(name)) {
                    problem(fieldName(name), "unknown field");
                }
            }
            if (idNode == null) {
                problem("id", "missing");
            } else {
                try {
                    Rule.requireValidId(idNode.isTextual() ? idNode.asText() : null);
                } catch (IllegalArgumentException e) {
                    problem(
                            "id",
                            idNode.isTextual()
                                    ? quote(idNode.asText()) + " is not of the form [a-z0-9][a-z0-9-]*"
                                            + (idNode.asText().length() > Rule.MAX_ID_LENGTH
                                                    ? " of at most " + Rule.MAX_ID_LENGTH + " characters"
                                                    : "")
                                    : "must be a string");
                }
            }
            Match match = readMatch();
            List<Prefix> destinations = readDestinations();
            List<String> datacenters = readStrings("datacenters");
            Action action = readAction();
            Optional<Instant> expires = readExpires();
            String comment = text("comment").orElse("");
            Origin origin = readOrigin();
            Optional<UpstreamMode> upstream = readUpstream();
            if (!ok) {
                return Optional.empty();
            }
            return Optional.of(
                    new Rule(id, match, destinations, datacenters, action, expires, comment, origin, upstream));
        }

        private Match readMatch() {
            List<String> given = SOURCES.stream().filter(node::has).toList();
            if (given.isEmpty()) {
                problem("match", "missing: give exactly one of filter, cbpf, dns, p0f");
                return null;
            }
            if (given.size() > 1) {
                problem(given.get(1), "only one match source per rule (already has " + given.getFirst() + ")");
                return null;
            }
            if (node.has("dns_ignore_case") && !given.getFirst().equals("dns")) {
                problem("dns_ignore_case", "only applies to a dns match");
            }
            if (node.has("cbpf_description") && !given.getFirst().equals("cbpf")) {
                problem("cbpf_description", "only applies to a cbpf match");
            }
            return switch (given.getFirst()) {
                case "filter" -> nonBlank("filter").map(Match.Filter::new).orElse(null);
                case "cbpf" -> {
                    Match.Cbpf code = nonBlank("cbpf").map(this::parseCbpf).orElse(null);
                    String description = text("cbpf_description").orElse("");
                    yield code == null ? null : new Match.Cbpf(code.program(), description);
                }
                case "p0f" -> nonBlank("p0f").map(Match.P0f::new).orElse(null);
                default -> {
                    List<String> patterns = node.get("dns").isTextual()
                            ? nonBlank("dns").map(List::of).orElse(List.of())
                            : readStrings("dns");
                    if (patterns.isEmpty() && ok) {
                        problem("dns", "needs at least one pattern");
                    }
                    boolean ignoreCase = false;
                    JsonNode ic = node.get("dns_ignore_case");
                    if (ic != null && !ic.isBoolean()) {
                        problem("dns_ignore_case", "must be true or false, not " + quote(ic.asText()));
                    } else if (ic != null) {
                        ignoreCase = ic.asBoolean();
                    }
                    yield new Match.Dns(patterns, ignoreCase);
                }
            };
        }

        private Match.Cbpf parseCbpf(String bytecode) {
            try {
                return Match.Cbpf.parse(bytecode);
            } catch (CbpfException e) {
                problem("cbpf", e.getMessage());
                return null;
            }
        }

        private List<Prefix> readDestinations() {
            List<Prefix> prefixes = new ArrayList<>();
            List<String> texts = readStrings("destinations");
            for (int i = 0; i < texts.size(); i++) {
                try {
                    prefixes.add(Prefix.parse(texts.get(i)));
                } catch (IllegalArgumentException e) {
                    problem("destinations[" + i + "]", e.getMessage());
                }
            }
            return prefixes;
        }

        private Action readAction() {
            Optional<String> keyword = text("action");
            JsonNode pps = node.get("pps");
            JsonNode burst = node.get("burst");
            if (keyword.isEmpty()) {
                JsonNode given = node.get("action");
                if (given == null || given.isNull()) { // a mapping or list is reported by text()
                    problem("action", "missing (drop, pass or ratelimit)");
                }
                return null;
            }
            switch (keyword.get()) {
                case "drop", "pass" -> {
                    if (pps != null || burst != null) {
                        problem(pps != null ? "pps" : "burst", "only applies to action ratelimit");
                        return null;
                    }
                    return keyword.get().equals("drop") ? new Action.Drop() : new Action.Pass();
                }
                case "ratelimit" -> {
                    Long rate = positive("pps", pps, Action.RateLimit.MAX_PPS);
                    Long size = burst == null ? rate : positive("burst", burst, Action.RateLimit.MAX_BURST);
                    return rate == null || size == null ? null : new Action.RateLimit(rate, size);
                }
                default -> {
                    problem("action", "unknown value " + quote(keyword.get()) + " (drop, pass or ratelimit)");
                    return null;
                }
            }
        }

        private Long positive(String field, JsonNode value, long max) {
            if (value == null) {
                problem(field, "missing (ratelimit needs pps, and optionally burst)");
                return null;
            }
            if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > max) {
                problem(field, "must be a whole number in 1.." + max + ", not " + quote(value.asText()));
                return null;
            }
            return value.asLong();
        }

        private Optional<Instant> readExpires() {
            return text("expires").flatMap(text -> {
                try {
                    return Optional.of(OffsetDateTime.parse(text).toInstant());
                } catch (DateTimeParseException e) {
                    problem("expires", quote(text) + " is not an RFC 3339 time (like 2026-11-25T18:00:00Z)");
                    return Optional.empty();
                }
            });
        }

        private Origin readOrigin() {
            Optional<String> text = text("origin");
            if (text.isEmpty()) {
                return Origin.MANUAL;
            }
            return switch (text.get()) {
                case "manual" -> Origin.MANUAL;
                case "auto" -> Origin.AUTO;
                default -> {
                    problem("origin", "unknown value " + quote(text.get()) + " (manual or auto)");
                    yield Origin.MANUAL;
                }
            };
        }

        private Optional<UpstreamMode> readUpstream() {
            Optional<String> text = text("upstream");
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(UpstreamMode.parse(text.get()));
            } catch (IllegalArgumentException e) {
                problem("upstream", "unknown value " + quote(text.get()) + " (flowspec or blackhole)");
                return Optional.empty();
            }
        }

        private List<String> readStrings(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (!value.isArray()) {
                problem(field, "must be a list");
                return List.of();
            }
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode element = value.get(i);
                if (!element.isValueNode()
                        || element.isNull()
                        || element.asText().isBlank()) {
                    problem(field + "[" + i + "]", "must be a non-empty string");
                } else if (unpairedSurrogate(element.asText()) >= 0) {
                    problem(field + "[" + i + "]", notUnicode(element.asText()));
                } else {
                    strings.add(element.asText());
                }
            }
            return strings;
        }

        private Optional<String> text(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return Optional.empty();
            }
            if (!value.isValueNode()) {
                problem(field, "must be a single value, not a " + (value.isArray() ? "list" : "mapping"));
                return Optional.empty();
            }
            if (unpairedSurrogate(value.asText()) >= 0) {
                problem(field, notUnicode(value.asText()));
                return Optional.empty();
            }
            return Optional.of(value.asText());
        }

        /** A match source's text: present (null counts as empty) and not blank. */
        private Optional<String> nonBlank(String field) {
            JsonNode given = node.get(field);
            Optional<String> value = text(field);
            if (value.isPresent() && value.get().isBlank() || given != null && given.isNull()) {
                problem(field, "is empty");
                return Optional.empty();
            }
            return value;
        }
    }

    /**
     * The index of the first half of a surrogate pair that stands alone in {@code text}, or -1.
     * Such text is not Unicode: it cannot be written as UTF-8, so it would not survive a round trip.
     */
    static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String notUnicode(String text) {
        int at = unpairedSurrogate(text);
        return String.format("character %d is an unpaired surrogate (\\u%04x), not Unicode", at, (int) text.charAt(at));
    }

    /** A field's name as it is, or quoted when it is not a plain word (empty, blanks, line breaks, …). */
    private static String fieldName(String name) {
        return YamlTrees.keyName(name);
    }

    /** {@code text} in double quotes, with quotes, backslashes and control characters escaped as JSON does. */
    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}

package org.levee.dataplane.object;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.levee.compiler.CompilationCache;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.DataplaneProgram;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.dataplane.program.RuleGroup;
import org.levee.dataplane.program.RuleKey;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Relocation;
import org.levee.ebpf.elf.BpfObject;
import org.levee.ebpf.elf.DataSection;
import org.levee.ebpf.elf.ElfFormatException;
import org.levee.ebpf.elf.ElfReader;
import org.levee.ebpf.elf.ElfWriter;
import org.levee.ebpf.elf.MapDefinition;
import org.levee.ebpf.elf.PatchableConstant;
import org.levee.ebpf.elf.ProgramSection;
import org.levee.rules.Action;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleSet;

/**
 * A rule set compiled once, for every data center: the data-plane program with one patchable
 * constant {@code rule_<id>_enabled} per rule (deciding the rule's guard), and the rule metadata.
 * The guards of the chain's tail calls name {@code levee_chain<k>_loaded}, and an indexed set's
 * group guards {@code levee_group<g>_<from>_<to>}, which the loader sets (the groups' buckets
 * are in the metadata) and the object leaves undefined. Stored as an ELF
 * relocatable object for EM_BPF: program sections {@code xdp} (and {@code xdp/chainN}),
 * {@code license}, {@code maps}, the constants in {@code .levee.constants}, and the metadata as
 * JSON in {@code .levee.rules}.
 *
 * @param version     the rule-set version
 * @param rules       the rules, in order
 * @param program     the program chain with its relocations
 */
public record RuleSetObject(String version, List<RuleInfo> rules, DataplaneProgram program) {
    /**
     * Version of the metadata layout, for an object whose rules are indexed (it has
     * {@code groups}); one whose rules are a plain chain is written with
     * {@link #CHAIN_FORMAT}, which every Levee reads. Readers refuse other versions.
     */
    public static final int FORMAT = 2;
    /** Version of the metadata of an object without rule groups. */
    public static final int CHAIN_FORMAT = 1;
    /** The section holding the metadata. */
    public static final String METADATA_SECTION = ".levee.rules";

    public static final String LICENSE = "GPL";
    private static final ObjectMapper JSON = new JsonMapper();

    public RuleSetObject {
        rules = List.copyOf(rules);
        Map<Long, String> keys = new HashMap<>();
        for (RuleInfo rule : rules) {
            String other = keys.putIfAbsent(RuleKey.of(rule.id()), rule.id());
            if (other != null) {
                throw new IllegalArgumentException("rules '" + other + "' and '" + rule.id()
                        + "' have the same 64-bit key;" + " rename one of them");
            }
        }
    }

    /** Compiles {@code filters} (the rules of {@code rules}, with their classic BPF). */
    public static RuleSetObject compile(RuleSet rules, List<RuleFilter> filters, ProgramBuilder builder) {
        return compile(rules, filters, builder, new CompilationCache());
    }

    /**
     * {@link #compile(RuleSet, List, ProgramBuilder)}, reusing what {@code cache} holds from
     * earlier compiles with builders like {@code builder} (the same object, byte for byte; see
     * {@link RuleSetCompiler}, which keeps one cache between compiles).
     */
    public static RuleSetObject compile(
            RuleSet rules, List<RuleFilter> filters, ProgramBuilder builder, CompilationCache cache) {
        if (rules.size() > ProgramLimits.MAX_RULES) {
            throw new IllegalArgumentException("the rule set has " + rules.size() + " rules; at most "
                    + ProgramLimits.MAX_RULES + " fit the per-rule maps");
        }
        List<RuleInfo> infos = rules.rules().stream().map(RuleInfo::of).toList();
        return new RuleSetObject(rules.version(), infos, builder.build(filters, cache));
    }

    /** Bytes copied into each sample. */
    public int sampleBytes() {
        return program.sampleBytes();
    }

    /**
     * The value of every {@code rule_<id>_enabled} for {@code datacenter} (null: none) at {@code now}:
     * 1 when the rule applies there and has not expired, else 0.
     */
    public Map<String, Long> constants(String datacenter, Instant now) {
        Map<String, Long> constants = new LinkedHashMap<>();
        for (RuleInfo rule : rules) {
            constants.put(rule.enabledSymbol(), rule.appliesIn(datacenter, now) ? 1L : 0L);
        }
        return constants;
    }

    // ---- ELF --------------------------------------------------------------------------------

    /** The object file. */
    public byte[] toElf() {
        List<ProgramSection> sections = new ArrayList<>();
        for (int i = 0; i < program.programs().size(); i++) {
            sections.add(new ProgramSection(
                    DataplaneProgram.section(i),
                    DataplaneProgram.symbol(i),
                    program.programs().get(i)));
        }
        List<MapDefinition> maps = DataplaneMaps.ALL.stream()
                .map(m -> new MapDefinition(
                        m.name(), m.type().number(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags()))
                .toList();
        List<PatchableConstant> constants = rules.stream()
                .map(r -> new PatchableConstant(r.enabledSymbol(), 0))
                .toList();
        BpfObject object = new BpfObject(
                LICENSE, sections, maps, constants, List.of(new DataSection(METADATA_SECTION, metadata())));
        return ElfWriter.write(object);
    }

    /**
     * Reads an object written by {@link #toElf()}; {@code source} names it in errors.
     *
     * @throws RuleSetObjectException saying what is missing or wrong
     */
    public static RuleSetObject fromElf(String source, byte[] file) {
        BpfObject object;
        try {
            object = ElfReader.read(file);
        } catch (ElfFormatException e) {
            // Only the reader's documented error: anything else is a bug in the reader, and
            // wrapping it would hide it behind a message that blames the file.
            throw new RuleSetObjectException(source + ": not a BPF object: " + e.getMessage(), e);
        }
        DataSection metadata = object.dataSections().stream()
                .filter(d -> d.name().equals(METADATA_SECTION))
                .findFirst()
                .orElseThrow(() -> new RuleSetObjectException(source + ": no " + METADATA_SECTION
                        + " section: not a Levee rule-set object (made by 'levee ruleset compile')"));
        JsonNode root;
        try {
            root = JSON.readTree(new String(metadata.data(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RuleSetObjectException(
                    source + ": section " + METADATA_SECTION + " is not JSON: " + e.getMessage(), e);
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT && format != CHAIN_FORMAT) {
            throw new RuleSetObjectException(source + ": " + METADATA_SECTION + ": format " + root.path("format")
                    + " is not a supported format (" + CHAIN_FORMAT + " or " + FORMAT + ")");
        }
        String version = requireText(source, root, "version");
        int sampleBytes = root.path("sample_bytes").asInt(-1);
        if (sampleBytes < 1 || sampleBytes > ProgramLimits.MAX_SAMPLE_BYTES) {
            throw new RuleSetObjectException(source + ": " + METADATA_SECTION + ": sample_bytes "
                    + root.path("sample_bytes") + " is outside 1.." + ProgramLimits.MAX_SAMPLE_BYTES);
        }
        List<RuleInfo> rules = new ArrayList<>();
        JsonNode list = root.path("rules");
        if (!list.isArray()) {
            throw new RuleSetObjectException(source + ": " + METADATA_SECTION + ": rules: missing or not a list");
        }
        for (int i = 0; i < list.size(); i++) {
            rules.add(readRule(source + ": " + METADATA_SECTION + ": rules[" + i + "]", list.get(i)));
        }
        List<RuleGroup> groups = readGroups(source + ": " + METADATA_SECTION + ": groups", root.path("groups"), rules);
        if (format == CHAIN_FORMAT && !groups.isEmpty()) {
            throw new RuleSetObjectException(
                    source + ": " + METADATA_SECTION + ": format " + CHAIN_FORMAT + " has no groups");
        }
        checkMaps(source, object);
        List<AssembledProgram> programs = new ArrayList<>();
        for (int i = 0; ; i++) {
            String section = DataplaneProgram.section(i);
            Optional<ProgramSection> found = object.programs().stream()
                    .filter(p -> p.section().equals(section))
                    .findFirst();
            if (found.isEmpty()) {
                break;
            }
            programs.add(found.get().program());
        }
        if (programs.isEmpty()) {
            throw new RuleSetObjectException(source + ": no program section 'xdp'");
        }
        if (programs.size() != object.programs().size()) {
            throw new RuleSetObjectException(source + ": program sections "
                    + object.programs().stream().map(ProgramSection::section).toList()
                    + " are not the chain xdp, xdp/chain1, …");
        }
        Set<String> sites = new LinkedHashSet<>(); // program order: an error names the first wrong site
        programs.forEach(p -> p.relocations().stream()
                .filter(r -> r.kind() != Relocation.Kind.MAP)
                .forEach(r -> sites.add(r.symbol())));
        for (int i = 1; i < programs.size(); i++) {
            sites.remove(DataplaneProgram.chainSymbol(i)); // the loader's, not a rule's
        }
        for (java.util.Iterator<String> it = sites.iterator(); it.hasNext(); ) {
            String site = it.next();
            Optional<int[]> range = DataplaneProgram.parseGroupSymbol(site);
            if (range.isPresent()) {
                int group = range.get()[0];
                if (group >= groups.size()
                        || range.get()[2] > groups.get(group).buckets().size()) {
                    throw new RuleSetObjectException(
                            source + ": the program guards on '" + site + "', a range of buckets that group " + group
                                    + " of " + METADATA_SECTION + " does not have (" + groups.size() + " groups)");
                }
                it.remove(); // decided by the loader from the group's rules
            }
        }
        Set<String> expected = new HashSet<>();
        for (RuleInfo r : rules) {
            expected.add(r.enabledSymbol());
            expected.add(DataplaneProgram.counterSymbol(r.id())); // its slot, set by the loader
        }
        for (String site : sites) {
            if (!expected.contains(site)) {
                throw new RuleSetObjectException(source + ": the program patches constant '" + site
                        + "', which names no rule of " + METADATA_SECTION);
            }
        }
        for (String symbol : expected) {
            if (!sites.contains(symbol)) {
                throw new RuleSetObjectException(
                        source + ": no relocation patches '" + symbol + "': the rule has no code");
            }
        }
        try {
            return new RuleSetObject(version, rules, new DataplaneProgram(programs, sampleBytes, groups));
        } catch (IllegalArgumentException e) {
            throw new RuleSetObjectException(source + ": " + e.getMessage(), e);
        }
    }

    private static void checkMaps(String source, BpfObject object) {
        Map<String, MapDefinition> byName = new HashMap<>();
        object.maps().forEach(m -> byName.put(m.name(), m));
        for (MapSpec spec : DataplaneMaps.ALL) {
            MapDefinition def = byName.get(spec.name());
            if (def == null) {
                throw new RuleSetObjectException(
                        source + ": map '" + spec.name() + "' is missing from the maps section");
            }
            if (def.type() != spec.type().number()
                    || def.keySize() != spec.keySize()
                    || def.valueSize() != spec.valueSize()
                    || def.maxEntries() != spec.maxEntries()
                    || def.flags() != spec.flags()) {
                throw new RuleSetObjectException(
                        source + ": map '" + spec.name() + "' is " + def + ", this Levee expects " + spec);
            }
        }
    }

    private byte[] metadata() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", program.groups().isEmpty() ? CHAIN_FORMAT : FORMAT);
        root.put("version", version);
        root.put("sample_bytes", program.sampleBytes());
        root.put("programs", program.programs().size());
        ArrayNode list = root.putArray("rules");
        for (RuleInfo rule : rules) {
            ObjectNode node = list.addObject();
            node.put("id", rule.id());
            node.put("match", rule.match());
            ArrayNode destinations = node.putArray("destinations");
            rule.destinations().forEach(p -> destinations.add(p.toString()));
            rule.datacenters().forEach(node.putArray("datacenters")::add);
            node.put("action", rule.action().keyword());
            if (rule.action() instanceof Action.RateLimit limit) {
                node.put("pps", limit.pps());
                node.put("burst", limit.burst());
            }
            rule.expires().ifPresent(e -> node.put("expires", e.toString()));
            node.put("origin", rule.origin().keyword());
            node.put("comment", rule.comment());
        }
        if (!program.groups().isEmpty()) {
            // each group: its buckets, each a list of rule numbers (positions in "rules")
            Map<String, Integer> number = new HashMap<>();
            for (int i = 0; i < rules.size(); i++) {
                number.put(rules.get(i).enabledSymbol(), i);
            }
            ArrayNode groups = root.putArray("groups");
            for (RuleGroup group : program.groups()) {
                ArrayNode buckets = groups.addArray();
                for (List<String> bucket : group.buckets()) {
                    ArrayNode members = buckets.addArray();
                    for (String symbol : bucket) {
                        Integer n = number.get(symbol);
                        if (n == null) {
                            throw new IllegalStateException("rule group names '" + symbol + "', no rule of the set");
                        }
                        members.add(n);
                    }
                }
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON to memory", e);
        }
    }

    /** The rule groups of {@code node} (missing: none), with each rule number turned into its constant. */
    private static List<RuleGroup> readGroups(String where, JsonNode node, List<RuleInfo> rules) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new RuleSetObjectException(where + ": not a list");
        }
        List<RuleGroup> groups = new ArrayList<>();
        for (int g = 0; g < node.size(); g++) {
            JsonNode buckets = node.get(g);
            if (!buckets.isArray()) {
                throw new RuleSetObjectException(where + "[" + g + "]: not a list of buckets");
            }
            List<List<String>> members = new ArrayList<>();
            for (int b = 0; b < buckets.size(); b++) {
                JsonNode bucket = buckets.get(b);
                if (!bucket.isArray()) {
                    throw new RuleSetObjectException(where + "[" + g + "][" + b + "]: not a list of rule numbers");
                }
                List<String> symbols = new ArrayList<>();
                for (int r = 0; r < bucket.size(); r++) {
                    JsonNode number = bucket.get(r);
                    if (!number.canConvertToInt()
                            || !number.isIntegralNumber()
                            || number.asInt() < 0
                            || number.asInt() >= rules.size()) {
                        throw new RuleSetObjectException(where + "[" + g + "][" + b + "][" + r + "]: " + number
                                + " is not a rule number (0.." + (rules.size() - 1) + ")");
                    }
                    symbols.add(rules.get(number.asInt()).enabledSymbol());
                }
                members.add(symbols);
            }
            groups.add(new RuleGroup(members));
        }
        return groups;
    }

    private static RuleInfo readRule(String where, JsonNode node) {
        try {
            String id = requireText(where, node, "id");
            Optional<Instant> expires = node.hasNonNull("expires")
                    ? Optional.of(Instant.parse(node.get("expires").asText()))
                    : Optional.empty();
            List<Prefix> destinations = strings(node.path("destinations")).stream()
                    .map(Prefix::parse)
                    .toList();
            return new RuleInfo(
                    id,
                    requireText(where, node, "match"),
                    destinations,
                    strings(node.path("datacenters")),
                    action(requireText(where, node, "action"), node),
                    expires,
                    origin(node.path("origin").asText("manual")),
                    node.path("comment").asText(""));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new RuleSetObjectException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the metadata may say is what the writer can write back (found by fuzzing: anything else
     * changed the object on its way through toElf()): pps and burst only for ratelimit, and then
     * within the action's limits; the known actions.
     */
    private static Action action(String keyword, JsonNode node) {
        long pps = node.path("pps").asLong(0);
        long burst = node.path("burst").asLong(0);
        if (!keyword.equals("ratelimit") && (node.has("pps") || node.has("burst"))) {
            throw new IllegalArgumentException(
                    "pps " + pps + " and burst " + burst + " apply only to action ratelimit, not " + keyword);
        }
        return switch (keyword) {
            case "drop" -> new Action.Drop();
            case "pass" -> new Action.Pass();
            case "ratelimit" -> new Action.RateLimit(pps, burst);
            default -> throw new IllegalArgumentException("action '" + keyword + "' is not drop, pass or ratelimit");
        };
    }

    private static Origin origin(String keyword) {
        return switch (keyword) {
            case "manual" -> Origin.MANUAL;
            case "auto" -> Origin.AUTO;
            default -> throw new IllegalArgumentException("origin '" + keyword + "' is not manual or auto");
        };
    }

    private static List<String> strings(JsonNode node) {
        List<String> strings = new ArrayList<>();
        node.forEach(n -> strings.add(n.asText()));
        return strings;
    }

    private static String requireText(String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new RuleSetObjectException(where + ": " + field + ": missing or not a string");
        }
        return value.asText();
    }
}

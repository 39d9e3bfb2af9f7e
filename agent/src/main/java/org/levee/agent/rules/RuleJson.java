package org.levee.agent.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;
import org.levee.dataplane.rules.Action;
import org.levee.dataplane.rules.Match;
import org.levee.dataplane.rules.Prefix;
import org.levee.dataplane.rules.Rule;
import org.levee.dataplane.rules.RuleSet;
import org.levee.dataplane.rules.RuleSetException;
import org.levee.dataplane.rules.RuleSetParser;

/**
 * One rule as JSON, in exactly the fields of a rule file ({@code id}, one of {@code filter},
 * {@code cbpf}, {@code dns}, {@code p0f}, {@code destinations}, {@code datacenters}, {@code action},
 * {@code pps}, {@code burst}, {@code expires}, {@code comment}, {@code origin}), so the API, the
 * state file and rule files agree. Reading goes through the data plane's rule-set parser: one
 * set of checks and messages everywhere.
 */
public final class RuleJson {
    private RuleJson() {}

    private static final JsonMapper JSON = new JsonMapper();
    /** The parser names a rule "rules[0] (id x): " before the field; a single rule needs only the field. */
    private static final Pattern RULE_PREFIX = Pattern.compile("^rules\\[0\\](?: \\(id [^)]*\\))?: ");

    /** The rule-file fields of {@code rule}. */
    public static ObjectNode write(Rule rule) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", rule.id());
        switch (rule.match()) {
            case Match.Filter f -> n.put("filter", f.expression());
            case Match.Cbpf c -> n.put("cbpf", c.bytecode());
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
        return n;
    }

    /**
     * Reads one rule.
     *
     * @throws RuleSetException with one problem per bad field, each starting with the field name
     */
    public static Rule read(String source, JsonNode node) {
        ObjectNode set = JsonNodeFactory.instance.objectNode();
        set.put("version", "single");
        set.putArray("rules").add(node);
        RuleSet parsed;
        try {
            parsed = RuleSetParser.parse(source + ".json", JSON.writeValueAsString(set));
        } catch (RuleSetException e) {
            List<String> problems = e.problems().stream().map(p -> RULE_PREFIX.matcher(p).replaceFirst("")).toList();
            throw new RuleSetException(source, problems);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        return parsed.rules().getFirst();
    }
}

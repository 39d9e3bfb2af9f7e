package org.levee.dataplane.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Writes a rule set in the format {@link RuleSetParser} reads, as YAML or JSON. */
public final class RuleSetWriter {
    private RuleSetWriter() {}

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new JsonMapper();

    public static String yaml(RuleSet rules) {
        return write(YAML, rules);
    }

    public static String json(RuleSet rules) {
        return write(JSON, rules);
    }

    private static String write(ObjectMapper mapper, RuleSet rules) {
        ObjectNode root = mapper.createObjectNode();
        root.put("version", rules.version());
        ArrayNode list = root.putArray("rules");
        for (Rule rule : rules.rules()) {
            ObjectNode node = list.addObject();
            node.put("id", rule.id());
            switch (rule.match()) {
                case Match.Filter f -> node.put("filter", f.expression());
                case Match.Cbpf c -> node.put("cbpf", c.bytecode());
                case Match.Dns d -> {
                    d.patterns().forEach(node.putArray("dns")::add);
                    if (d.ignoreCase()) {
                        node.put("dns_ignore_case", true);
                    }
                }
                case Match.P0f p -> node.put("p0f", p.signature());
            }
            if (!rule.destinations().isEmpty()) {
                rule.destinations().forEach(p -> node.withArray("destinations").add(p.toString()));
            }
            if (!rule.datacenters().isEmpty()) {
                rule.datacenters().forEach(node.putArray("datacenters")::add);
            }
            node.put("action", rule.action().keyword());
            if (rule.action() instanceof Action.RateLimit limit) {
                node.put("pps", limit.pps());
                node.put("burst", limit.burst());
            }
            rule.expires().ifPresent(e -> node.put("expires", e.toString()));
            if (!rule.comment().isEmpty()) {
                node.put("comment", rule.comment());
            }
            node.put("origin", rule.origin().keyword());
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a rule set to memory", e);
        }
    }
}

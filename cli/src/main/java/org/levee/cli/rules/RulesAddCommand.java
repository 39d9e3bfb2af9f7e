package org.levee.cli.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.agent.rules.AgentJson;
import org.levee.cli.common.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee rules add}: sends a manual rule to the node. The agent checks it (the same checks
 * as rule files, then its rule guard unless {@code --force}) and answers with the rule as stored.
 */
@Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = "Add a manual rule to the running node. Exactly one of --filter, --dns, --p0f, --cbpf.")
final class RulesAddCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    /** Exactly one source of the classic BPF filter. */
    static final class Source {
        @Option(names = "--filter", paramLabel = "EXPRESSION", description = "A tcpdump expression.")
        String filter;

        @Option(
                names = "--dns",
                paramLabel = "PATTERN",
                arity = "1..*",
                description = "DNS query-name patterns (* one label, ** any labels).")
        List<String> dns;

        @Option(names = "--p0f", paramLabel = "SIG", description = "A p0f-style TCP SYN signature.")
        String p0f;

        @Option(names = "--cbpf", paramLabel = "BYTECODE", description = "Classic BPF as 'N,code jt jf k,…'.")
        String cbpf;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--id", description = "The rule's id ([a-z0-9][a-z0-9-]*); default: one is made up.")
    String id;

    @Option(names = "--dns-ignore-case", description = "Match --dns patterns in any letter case.")
    boolean dnsIgnoreCase;

    @Option(names = "--dst", paramLabel = "PREFIX", split = ",", description = "Limit to these destination networks.")
    List<String> destinations;

    @Option(names = "--dc", paramLabel = "DC", split = ",", description = "Limit to these data centers.")
    List<String> datacenters;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            description = "Remove the rule after this long (90s, 30m, 1h, 2d).")
    String ttl;

    @Option(
            names = "--action",
            defaultValue = "drop",
            description = "drop, pass or ratelimit (default: ${DEFAULT-VALUE}).")
    String action;

    @Option(names = "--pps", description = "Packets per second a ratelimit rule lets through.")
    Long pps;

    @Option(names = "--burst", description = "Burst of a ratelimit rule, in packets (default: --pps).")
    Long burst;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Free text kept with the rule.")
    String comment;

    @Option(
            names = "--upstream",
            paramLabel = "MODE",
            description = {
                "Also ask the upstream routers over BGP: flowspec (the rule's match as FlowSpec routes,"
                        + " discard or traffic-rate; refused, never widened, when FlowSpec cannot express the match) or"
                        + " blackhole (a /32 or /128 with community 65535:666 for each --dst host).",
                "Needs an upstream: section in the node's configuration (docs/operations.md)."
            })
    String upstream;

    @Option(
            names = "--force",
            description = {
                "Add the rule even though the node's rule guard refuses it: because it matches traffic to a protected"
                        + " endpoint (the API, etcd, TCP 22 and the configured ones) from any source, or more than"
                        + " guard.max_legitimate_share (1 %%) of the legitimate traffic the detector saw in the last minute"
                        + " outside the rule's destinations. Without it such a rule is refused, with the reason."
            })
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (dnsIgnoreCase && source.dns == null) {
            throw new UserException("--dns-ignore-case only applies to --dns");
        }
        ObjectNode rule = JsonNodeFactory.instance.objectNode();
        if (id != null) {
            rule.put("id", id);
        }
        if (source.filter != null) {
            rule.put("filter", source.filter);
        } else if (source.dns != null) {
            ArrayNode patterns = rule.putArray("dns");
            source.dns.forEach(patterns::add);
            if (dnsIgnoreCase) {
                rule.put("dns_ignore_case", true);
            }
        } else if (source.p0f != null) {
            rule.put("p0f", source.p0f);
        } else {
            rule.put("cbpf", source.cbpf);
        }
        if (destinations != null) {
            ArrayNode list = rule.putArray("destinations");
            destinations.stream().map(String::strip).forEach(list::add);
        }
        if (datacenters != null) {
            ArrayNode list = rule.putArray("datacenters");
            datacenters.stream().map(String::strip).forEach(list::add);
        }
        rule.put("action", action);
        if (pps != null) {
            rule.put("pps", pps);
        }
        if (burst != null) {
            rule.put("burst", burst);
        }
        if (ttl != null) {
            rule.put("ttl", ttl);
        }
        if (comment != null) {
            rule.put("comment", comment);
        }
        if (upstream != null) {
            rule.put("upstream", upstream);
        }
        if (force) {
            rule.put("force", true);
        }
        JsonNode added = options.client().post("/rules", rule);
        if (options.json) {
            spec.commandLine().getOut().println(AgentJson.MAPPER.writeValueAsString(added));
        } else {
            spec.commandLine().getOut().println("added " + added.path("id").asText());
            String phase = added.path("upstream_status").path("phase").asText();
            if (phase.equals("refused") || phase.equals("unconfigured")) {
                // The rule drops here all the same; what the operator asked of the routers did not happen.
                spec.commandLine().getErr().println("upstream " + RuleText.upstream(added));
            } else if (!phase.isEmpty()) {
                spec.commandLine().getOut().println("upstream " + RuleText.upstream(added));
            }
        }
        return 0;
    }
}

package org.levee.dataplane.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsQueryFilter;
import org.levee.signatures.P0fFilter;

/**
 * Turns every rule's match source into classic BPF for Ethernet frames (what XDP sees): tcpdump
 * expressions through libpcap, bytecode as given (validated), DNS patterns and p0f signatures
 * through the signatures generators. Destinations become a second filter of {@code dst net}
 * primitives, so a rule of any source is limited the same way.
 */
public final class RuleFilters {
    private RuleFilters() {}

    /** The UDP port DNS rules look at. */
    public static final int DNS_PORT = 53;

    /**
     * Compiles every rule of {@code rules}.
     *
     * @throws RuleSetException naming each rule and field that does not compile
     */
    public static List<RuleFilter> compile(String source, RuleSet rules) {
        List<String> problems = new ArrayList<>();
        List<RuleFilter> filters = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.rules().get(i);
            String where = "rules[" + i + "] (id " + rule.id() + "): ";
            CbpfProgram match = null;
            try {
                match = compile(rule.match());
            } catch (IllegalArgumentException | CbpfException e) {
                problems.add(where + rule.match().field() + ": " + e.getMessage());
            }
            Optional<CbpfProgram> destination = Optional.empty();
            if (!rule.destinations().isEmpty()) {
                String expression = rule.destinations().stream().map(Prefix::tcpdumpDestination)
                        .collect(Collectors.joining(" or "));
                try {
                    destination = Optional.of(Libpcap.compile(expression, LinkType.EN10MB));
                } catch (CbpfException e) {
                    problems.add(where + "destinations: " + e.getMessage());
                }
            }
            if (match != null) {
                filters.add(new RuleFilter(rule, match, destination));
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleSetException(source, problems);
        }
        return filters;
    }

    /** The classic BPF of one match source. */
    public static CbpfProgram compile(Match match) {
        CbpfProgram program = switch (match) {
            case Match.Filter f -> Libpcap.compile(f.expression(), LinkType.EN10MB);
            case Match.Cbpf c -> CbpfText.parseBytecode(c.bytecode());
            case Match.Dns d -> DnsQueryFilter.of(d.patterns(), d.ignoreCase(), DNS_PORT, LinkType.EN10MB).program();
            case Match.P0f p -> P0fFilter.of(p.signature(), LinkType.EN10MB).program();
        };
        CbpfValidator.validate(program);
        return program;
    }
}

package org.levee.rules;

import java.util.Optional;
import org.levee.cbpf.CbpfProgram;

/**
 * A rule with its match source turned into classic BPF.
 *
 * @param rule        the rule
 * @param match       the filter of its match source
 * @param destination a filter accepting only its destination networks; empty when it has none
 */
public record RuleFilter(Rule rule, CbpfProgram match, Optional<CbpfProgram> destination) {}

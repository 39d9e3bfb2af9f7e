/**
 * The two things that travel through Levee, each with one type from where it enters to where it
 * ends: a {@link org.levee.rules.Rule} (with its {@link org.levee.rules.Match},
 * {@link org.levee.rules.Action}, {@link org.levee.rules.Origin} and destination
 * {@link org.levee.rules.Prefix}es, grouped in a {@link org.levee.rules.RuleSet}) and a
 * {@link org.levee.rules.Sample}. {@link org.levee.rules.RuleCodec} reads and writes rules for
 * rule files, the HTTP API and the state file alike; a rule as kept — with when it was added and
 * the detector's {@link org.levee.rules.AttackEvidence} — is a {@link org.levee.rules.StoredRule},
 * in one JSON shape ({@link org.levee.rules.StoredRuleCodec}) in the agent's state file, the API
 * and etcd; {@link org.levee.rules.ManualRuleRequest} reads the API's {@code POST /rules} body on
 * agents and controllers; {@link org.levee.rules.RuleFilters} turns matches into classic BPF once
 * and remembers them. {@link org.levee.rules.RuleGuard} refuses rules that would cut off a
 * {@link org.levee.rules.ProtectedEndpoint} or too much {@link org.levee.rules.LegitimateTraffic}:
 * the policy every rule passes, whoever makes it.
 *
 * <p>Both the data plane (which writes samples and runs rules) and the detector (which reads
 * samples and writes rules) depend on this module and on nothing of each other.
 */
package org.levee.rules;

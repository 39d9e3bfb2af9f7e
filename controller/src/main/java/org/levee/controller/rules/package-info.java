/**
 * Rule sources in etcd: read and validated ({@link org.levee.controller.rules.RuleCatalog}),
 * compiled once and published by the leader ({@link org.levee.controller.rules.RulesetPublisher}),
 * kept in step with the detector ({@link org.levee.controller.rules.AutoRuleSync}), cared for
 * ({@link org.levee.controller.rules.RuleUpkeep}) and served to the API
 * ({@link org.levee.controller.rules.RuleSourceStore}).
 */
package org.levee.controller.rules;

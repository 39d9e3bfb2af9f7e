/**
 * The node's rules: the rule book (apply to the data plane, then save), the state file written
 * atomically, rules as JSON in the fields of rule files, and the detector's evidence.
 */
package org.levee.agent.rules;

/**
 * Gatebot: aggregation, attack detection, fingerprints to rules, rule lifecycle. Pure computation.
 */
package org.levee.detector;

/**
 * The XDP program: sampler, rules, exit hook; rule-set objects, specialisation, loading, atomic swap, counters, rate limiting.
 */
package org.levee.dataplane;

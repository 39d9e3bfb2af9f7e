package org.levee.lab.demo;

import java.util.List;

/**
 * Cumulative readings taken at one moment of the demo, from which the per-second timeline is
 * made: the floods' offered frames, the edge program's counters, and the rules in force.
 *
 * @param nanos {@link System#nanoTime()} of the reading
 * @param attackOffered frames handed to the kernel by every flood generator so far
 * @param edgeSeen packets the edge's XDP program saw so far
 * @param edgeDropped packets it dropped (by drop and rate-limit rules) so far
 * @param edgePassed packets it let through so far
 * @param sampled samples the program wrote to the ring buffer so far
 * @param samplesLost samples it could not write (ring buffer full) so far
 * @param samplesRead samples the agent read and gave the detector so far
 * @param rules ids of the rules in force at that moment
 */
public record Tick(
        long nanos,
        long attackOffered,
        long edgeSeen,
        long edgeDropped,
        long edgePassed,
        long sampled,
        long samplesLost,
        long samplesRead,
        List<String> rules) {
    public Tick {
        rules = List.copyOf(rules);
        if (attackOffered < 0 || edgeSeen < 0 || edgeDropped < 0 || edgePassed < 0) {
            throw new IllegalArgumentException("tick at " + nanos + ": negative counter (offered " + attackOffered
                    + ", seen " + edgeSeen + ", dropped " + edgeDropped + ", passed " + edgePassed + ")");
        }
    }
}

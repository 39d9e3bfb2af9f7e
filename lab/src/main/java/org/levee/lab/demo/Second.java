package org.levee.lab.demo;

import java.util.List;

/**
 * One row of the timeline: what happened during one second of the demo.
 *
 * @param second seconds since the demo's start at the end of this row's interval (1 for the first)
 * @param attack id of the flood scheduled in this second, or "" in a quiet one
 * @param legitSent legitimate requests sent in this second
 * @param legitDelivered of those, how many reached the edge's service
 * @param attackOffered flood frames the generators sent
 * @param edgeSeen packets the edge's XDP program saw
 * @param dropped packets it dropped
 * @param passed packets it let through
 * @param sampled samples the program wrote
 * @param samplesLost samples lost to a full ring buffer
 * @param samplesRead samples the agent read
 * @param rules ids of the rules in force at the end of the second
 */
public record Second(
        int second,
        String attack,
        long legitSent,
        long legitDelivered,
        long attackOffered,
        long edgeSeen,
        long dropped,
        long passed,
        long sampled,
        long samplesLost,
        long samplesRead,
        List<String> rules) {
    public Second {
        rules = List.copyOf(rules);
    }

    public long legitLost() {
        return legitSent - legitDelivered;
    }
}

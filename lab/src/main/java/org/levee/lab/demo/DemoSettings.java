package org.levee.lab.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How the demo was run, for the report's reader.
 *
 * @param started when it started (wall clock)
 * @param durationSeconds its planned length
 * @param attackPacketsPerSecond the rate each flood generator was asked for
 * @param generator the flood generator that ran ({@link org.levee.lab.GeneratorKind#id()})
 * @param generatorDescription how that generator sends
 * @param legitRequestsPerSecond the legitimate clients' steady rate
 * @param cooldown the detector's cool-down used (a rule is retired after this long below the end level)
 * @param machine the kernel and CPUs it ran on
 * @param notes what differs from a production node, and why
 */
public record DemoSettings(
        Instant started,
        int durationSeconds,
        long attackPacketsPerSecond,
        String generator,
        String generatorDescription,
        long legitRequestsPerSecond,
        Duration cooldown,
        String machine,
        List<String> notes) {
    public DemoSettings {
        notes = List.copyOf(notes);
    }
}

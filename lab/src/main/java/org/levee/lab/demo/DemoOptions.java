package org.levee.lab.demo;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.levee.lab.FloodKind;

/**
 * What {@code levee demo} was asked for.
 *
 * @param durationSeconds the demo's length
 * @param kinds the floods, in order
 * @param attackPacketsPerSecond each flood's rate (the command's default is the generator's,
 *     {@link org.levee.lab.GeneratorKind#defaultFloodRate()})
 * @param legitUdpPerSecond legitimate UDP requests per second
 * @param legitTcpPerSecond legitimate TCP requests (connections) per second, 0 for none
 * @param cooldown the detector's cool-down: how long a rule's traffic must stay low before it is retired
 * @param sampleRate a fixed N of "1 in N" sampling, or 0 for the agent's adaptive default
 * @param generator how floods are sent: {@code auto}, {@code live} or {@code socket}
 *     ({@link org.levee.lab.GeneratorKind#choose}, resolved when the demo runs)
 */
public record DemoOptions(
        int durationSeconds,
        List<FloodKind> kinds,
        long attackPacketsPerSecond,
        long legitUdpPerSecond,
        long legitTcpPerSecond,
        Duration cooldown,
        int sampleRate,
        String generator) {
    /** Every flood, with a retirement each, in under two minutes. */
    public static final int DEFAULT_DURATION_SECONDS = 120;
    /** The demo's floods: the five IPv4 floods, then the SYN flood over IPv6. */
    public static final List<FloodKind> DEFAULT_KINDS = List.of(
            FloodKind.SYN_FLOOD,
            FloodKind.DNS_AMPLIFICATION,
            FloodKind.MEMCACHED_AMPLIFICATION,
            FloodKind.DNS_RANDOM_SUBDOMAIN,
            FloodKind.UDP_RANDOM_PORTS,
            FloodKind.SYN_FLOOD_V6);

    public static final long DEFAULT_ATTACK_PPS = 1_000_000;
    public static final long DEFAULT_LEGIT_UDP_PER_SECOND = 2_000;
    public static final long DEFAULT_LEGIT_TCP_PER_SECOND = 50;
    /** The demo's cool-down; a production node keeps the detector's 60 s. */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(5);
    /** The agent's own default: N adapts to the traffic (0). */
    public static final int DEFAULT_SAMPLE_RATE = 0;
    /** Live frames where the kernel allows them, the socket generator otherwise. */
    public static final String DEFAULT_GENERATOR = "auto";

    private static final Set<String> GENERATORS = Set.of("auto", "live", "socket");

    /** Options with the default generator. */
    public DemoOptions(
            int durationSeconds,
            List<FloodKind> kinds,
            long attackPacketsPerSecond,
            long legitUdpPerSecond,
            long legitTcpPerSecond,
            Duration cooldown,
            int sampleRate) {
        this(
                durationSeconds,
                kinds,
                attackPacketsPerSecond,
                legitUdpPerSecond,
                legitTcpPerSecond,
                cooldown,
                sampleRate,
                DEFAULT_GENERATOR);
    }

    public DemoOptions {
        kinds = List.copyOf(kinds);
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--attacks: no flood chosen");
        }
        if (kinds.stream().distinct().count() != kinds.size()) {
            throw new IllegalArgumentException("--attacks: a flood is named twice in "
                    + kinds.stream().map(FloodKind::id).toList());
        }
        if (attackPacketsPerSecond < 1) {
            throw new IllegalArgumentException("--attack-pps must be at least 1, not " + attackPacketsPerSecond);
        }
        if (legitUdpPerSecond < 1) {
            throw new IllegalArgumentException(
                    "--legit-udp must be at least 1 request per second, not " + legitUdpPerSecond);
        }
        if (legitTcpPerSecond < 0) {
            throw new IllegalArgumentException("--legit-tcp must not be negative, not " + legitTcpPerSecond);
        }
        if (sampleRate < 0) {
            throw new IllegalArgumentException(
                    "--sample-rate must be at least 1 (or 0 for adaptive), not " + sampleRate);
        }
        if (!GENERATORS.contains(generator)) {
            throw new IllegalArgumentException("--generator must be auto, live or socket, not '" + generator + "'");
        }
        if (cooldown.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--cooldown must be at least 1 s, not " + cooldown.toMillis() + " ms");
        }
    }

    public static DemoOptions defaults() {
        return new DemoOptions(
                DEFAULT_DURATION_SECONDS,
                DEFAULT_KINDS,
                DEFAULT_ATTACK_PPS,
                DEFAULT_LEGIT_UDP_PER_SECOND,
                DEFAULT_LEGIT_TCP_PER_SECOND,
                DEFAULT_COOLDOWN,
                DEFAULT_SAMPLE_RATE);
    }

    public DemoSchedule schedule() {
        return DemoSchedule.spread(durationSeconds, kinds, attackPacketsPerSecond, cooldown);
    }
}

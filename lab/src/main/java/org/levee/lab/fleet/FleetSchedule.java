package org.levee.lab.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.levee.lab.FloodKind;

/**
 * When the fleet demo's floods and faults happen, in seconds after the fleet is up. The shortest
 * schedule, {@link #SHORTEST_SECONDS} long, is what CI runs; a longer one stretches every flood
 * and every quiet time between them by the same factor, while the faults keep their own lengths
 * (an edge is cut from etcd for 10 s, an etcd member is down for 8 s), so a longer demo shows the
 * same faults under longer floods.
 *
 * @param attacks the floods, in the order they start
 * @param killLeader when the leading controller is killed (during the first flood)
 * @param stopEtcdMember when one etcd member is stopped
 * @param startEtcdMember when it starts again (during the second flood)
 * @param cutEdge when one edge is cut from etcd (between the second and the third flood)
 * @param healEdge when it can reach etcd again
 * @param end when the demo stops measuring
 */
public record FleetSchedule(
        List<Attack> attacks,
        double killLeader,
        double stopEtcdMember,
        double startEtcdMember,
        double cutEdge,
        double healEdge,
        double end) {
    /** The shortest schedule: each flood and each fault, with time for every rule to retire. */
    public static final int SHORTEST_SECONDS = 75;
    /** What {@code levee demo --fleet} runs unless told otherwise. */
    public static final int DEFAULT_SECONDS = 90;

    static final double EDGE_CUT_SECONDS = 10;
    static final double ETCD_MEMBER_DOWN_SECONDS = 8;
    static final long SYN_PPS_PER_DC = 18_000;
    static final long MEMCACHED_PPS = 100_000;
    static final long DNS_PPS_PER_DC = 40_000;

    /** One flood of the schedule, sent in {@code datacenters} at {@code ppsPerDatacenter} each. */
    public record Attack(
            String name, FloodKind kind, List<String> datacenters, long ppsPerDatacenter, double start, double stop) {}

    public FleetSchedule {
        attacks = List.copyOf(attacks);
    }

    /**
     * The schedule for a demo of {@code seconds}.
     *
     * @throws IllegalArgumentException when {@code seconds} is shorter than {@link #SHORTEST_SECONDS}
     */
    public static FleetSchedule lasting(int seconds) {
        if (seconds < SHORTEST_SECONDS) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "the fleet demo needs at least %d s (three floods, each rule retired, and the faults between them), not %d",
                    SHORTEST_SECONDS,
                    seconds));
        }
        double f = (double) seconds / SHORTEST_SECONDS;
        List<Attack> attacks = List.of(
                new Attack(
                        "syn-spread", FloodKind.SYN_FLOOD, List.of("ams", "fra", "sin"), SYN_PPS_PER_DC, 3 * f, 17 * f),
                new Attack(
                        "memcached-fra",
                        FloodKind.MEMCACHED_AMPLIFICATION,
                        List.of("fra"),
                        MEMCACHED_PPS,
                        28 * f,
                        38 * f),
                new Attack(
                        "dns-amp-everywhere",
                        FloodKind.DNS_AMPLIFICATION,
                        List.of("ams", "fra", "sin"),
                        DNS_PPS_PER_DC,
                        53 * f,
                        63 * f));
        // The faults keep their places relative to the floods: the leader dies 5 s into the first
        // flood (its rule is in force by then), the etcd member is down across the second flood's
        // start, the edge is cut just after it and heals before the third.
        double killLeader = attacks.get(0).start() + 5;
        double stopEtcd = attacks.get(1).start() - 3;
        double cut = attacks.get(1).stop() + 2;
        return new FleetSchedule(
                attacks,
                killLeader,
                stopEtcd,
                stopEtcd + ETCD_MEMBER_DOWN_SECONDS,
                cut,
                cut + EDGE_CUT_SECONDS,
                seconds);
    }

    /** What happens when, in time order. */
    List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        for (Attack a : attacks) {
            steps.add(new Step(a.start(), Step.Kind.START_FLOOD, a));
            steps.add(new Step(a.stop(), Step.Kind.STOP_FLOOD, a));
        }
        steps.add(new Step(killLeader, Step.Kind.KILL_LEADER, null));
        steps.add(new Step(stopEtcdMember, Step.Kind.STOP_ETCD_MEMBER, null));
        steps.add(new Step(startEtcdMember, Step.Kind.START_ETCD_MEMBER, null));
        steps.add(new Step(cutEdge, Step.Kind.CUT_EDGE, null));
        steps.add(new Step(healEdge, Step.Kind.HEAL_EDGE, null));
        steps.sort(Comparator.comparingDouble(Step::at));
        return steps;
    }

    /** One line for the console. */
    String describe() {
        Attack syn = attacks.get(0);
        Attack memcached = attacks.get(1);
        Attack dns = attacks.get(2);
        return String.format(
                Locale.ROOT,
                "SYN spread %.0f–%.0f, leader killed at %.0f, etcd member stopped %.0f–%.0f, memcached on fra"
                        + " %.0f–%.0f, sin-1 cut from etcd %.0f–%.0f, DNS amplification %.0f–%.0f, end %.0f",
                syn.start(),
                syn.stop(),
                killLeader,
                stopEtcdMember,
                startEtcdMember,
                memcached.start(),
                memcached.stop(),
                cutEdge,
                healEdge,
                dns.start(),
                dns.stop(),
                end);
    }

    /** The flood going on at {@code second}, or "-". */
    String floodAt(double second) {
        return attacks.stream()
                .filter(a -> a.start() < second && second <= a.stop())
                .map(Attack::name)
                .findFirst()
                .orElse("-");
    }

    record Step(double at, Kind kind, Attack attack) {
        enum Kind {
            START_FLOOD,
            STOP_FLOOD,
            KILL_LEADER,
            STOP_ETCD_MEMBER,
            START_ETCD_MEMBER,
            CUT_EDGE,
            HEAL_EDGE
        }
    }
}

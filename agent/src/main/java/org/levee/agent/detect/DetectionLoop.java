package org.levee.agent.detect;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.rules.DuplicateRuleException;
import org.levee.agent.rules.RuleBook;
import org.levee.dataplane.DataPlane;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.Sample;
import org.levee.rules.StoredRule;

/**
 * The sampler thread: reads samples from the data plane, feeds the detector in-process, turns
 * its decisions into rule changes, and adjusts the sample rate. It is the only thread that
 * touches the detector (which is not thread-safe).
 */
public final class DetectionLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(DetectionLoop.class.getName());

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LEGITIMATE_COPY_INTERVAL = Duration.ofSeconds(1);

    private final DataPlane dataPlane;
    private final Detector detector;
    private final RuleBook rules;
    private final AutoRules autoRules;
    private final AttackTracker attacks;
    private final SampleRateController rateController;
    private final AgentConfig config;
    private final Clock clock;
    private final Consumer<Decision> decisionListener;
    private final NodeNotifications notifications;
    private final Map<String, String> ruleIds = new HashMap<>();
    private final AtomicLong samplesRead = new AtomicLong();
    private final AtomicLong ruleFailures = new AtomicLong();
    /** The detector's count, published for other threads after every round (the detector is not thread-safe). */
    private final AtomicLong samplesUndecodable = new AtomicLong();
    // The detector's memory bound at work (docs/security.md, "Bounded memory"), copied each round.
    private final AtomicLong trackedDestinations = new AtomicLong();
    private final AtomicLong samplesInAggregateOnly = new AtomicLong();
    private final AtomicLong samplesUncounted = new AtomicLong();
    private final AtomicLong destinationsForgotten = new AtomicLong();
    private volatile boolean running = true;
    /** The detector's legitimate traffic, copied once a second for the API's threads. */
    private volatile LegitimateTraffic legitimateTraffic = LegitimateTraffic.NONE;

    private long legitimateCopiedNanos = Long.MIN_VALUE;
    private long detectorNanos;
    private long rateCheckNanos;
    private long rateCheckSeen = -1;
    private long quickCheckNanos;
    private long quickCheckSeen;

    public DetectionLoop(
            DataPlane dataPlane,
            Detector detector,
            RuleBook rules,
            AutoRules autoRules,
            AttackTracker attacks,
            AgentConfig config,
            Clock clock,
            Consumer<Decision> decisionListener,
            NodeNotifications notifications) {
        this.dataPlane = dataPlane;
        this.detector = detector;
        this.rules = rules;
        this.autoRules = autoRules;
        this.attacks = attacks;
        this.rateController = new SampleRateController(config.sampling());
        this.config = config;
        this.clock = clock;
        this.decisionListener = decisionListener;
        this.notifications = notifications;
    }

    @Override
    public void run() {
        while (running) {
            try {
                dataPlane.pollSamples(POLL, config.sampleDatacenter(), config.node(), this::accept);
                long now = System.nanoTime();
                detectorNanos = Math.max(detectorNanos, now);
                detector.advanceTo(detectorNanos);
                for (Decision d : detector.drainDecisions()) {
                    handle(d);
                }
                if (legitimateCopiedNanos == Long.MIN_VALUE
                        || now - legitimateCopiedNanos >= LEGITIMATE_COPY_INTERVAL.toNanos()) {
                    legitimateTraffic = detector.legitimateTraffic();
                    legitimateCopiedNanos = now;
                }
                adjustRate(now);
            } catch (RuntimeException e) {
                // One bad sample or a failed swap must not end detection; the next round retries.
                ruleFailures.incrementAndGet();
                LOG.log(Level.WARNING, "detection: " + e);
            }
            samplesUndecodable.set(detector.samplesUndecodable());
            trackedDestinations.set(detector.trackedDestinations());
            samplesInAggregateOnly.set(detector.samplesInAggregateOnly());
            samplesUncounted.set(detector.samplesUncounted());
            destinationsForgotten.set(detector.destinationsForgotten());
        }
    }

    /** Asks the loop to end after its current round. */
    public void stop() {
        running = false;
    }

    public long samplesRead() {
        return samplesRead.get();
    }

    /** Rule changes the detector asked for that the data plane refused, and other errors of the loop. */
    public long failures() {
        return ruleFailures.get();
    }

    /**
     * The legitimate traffic of the last minute as the detector saw it at most a second ago: what
     * the rule guard checks manual rules against.
     */
    public LegitimateTraffic legitimateTraffic() {
        return legitimateTraffic;
    }

    /** Samples the detector could not decode (not IP, or cut short before the IP header's end). */
    public long samplesUndecodable() {
        return samplesUndecodable.get();
    }

    /** Hosts and aggregates the detector tracks, at most its {@code max_tracked_destinations}. */
    public long trackedDestinations() {
        return trackedDestinations.get();
    }

    /** Samples counted in their aggregate only: the detector's table was full. */
    public long samplesInAggregateOnly() {
        return samplesInAggregateOnly.get();
    }

    /** Samples counted nowhere: not even their aggregate had room. */
    public long samplesUncounted() {
        return samplesUncounted.get();
    }

    /** Destinations the detector forgot: idle, or making room for a busier one. */
    public long destinationsForgotten() {
        return destinationsForgotten.get();
    }

    private void accept(Sample s) {
        samplesRead.incrementAndGet();
        // Samples of different CPUs may interleave slightly out of order; the detector needs a
        // clock that never goes back.
        if (s.timestampNanos() >= detectorNanos) {
            detectorNanos = s.timestampNanos();
            detector.accept(s);
        } else {
            detector.accept(s.withTimestamp(detectorNanos));
        }
    }

    private void handle(Decision d) {
        Optional<String> ruleId = Optional.empty();
        Optional<StoredRule> changed = Optional.empty();
        switch (d.kind()) {
            case RULE_ADDED -> {
                var rule = autoRules.toRule(d.rule());
                try {
                    changed = Optional.of(rules.add(rule, Optional.of(d.attackEvidence())));
                    ruleIds.put(d.rule().id(), rule.id());
                    ruleId = Optional.of(rule.id());
                } catch (DuplicateRuleException e) {
                    ruleIds.put(d.rule().id(), rule.id()); // already in force: retire it with the attack
                    ruleId = Optional.of(rule.id());
                } catch (RuntimeException e) {
                    ruleFailures.incrementAndGet();
                    LOG.log(Level.WARNING, "detector rule " + rule.id() + " not applied: " + e.getMessage());
                }
            }
            case RULE_REFUSED ->
                LOG.log(
                        Level.WARNING,
                        "detector rule " + autoRules.id(d.rule().id())
                                + " not made for the " + d.trafficClass().name().toLowerCase(java.util.Locale.ROOT)
                                + " attack on "
                                + d.destination() + ": " + d.evidence().note());
            case RULE_RETIRED -> {
                String id = ruleIds.remove(d.rule().id());
                if (id != null) {
                    changed = rules.get(id);
                    if (!rules.remove(id)) {
                        changed = Optional.empty(); // gone already (an operator deleted it): nothing retired now
                    }
                    ruleId = Optional.of(id);
                }
            }
            default -> {}
        }
        Instant now = clock.instant();
        attacks.follow(d, ruleId, now);
        notifications.decided(d, changed, now);
        decisionListener.accept(d);
    }

    private void adjustRate(long now) {
        if (rateCheckSeen >= 0 && now - quickCheckNanos < SampleRateController.QUICK_INTERVAL_NANOS) {
            return;
        }
        long seen = dataPlane.counters().seen();
        int current = dataPlane.sampleRate();
        if (rateCheckSeen >= 0 && now - rateCheckNanos < SampleRateController.INTERVAL_NANOS) {
            // Between the regular decisions, only a flood's start raises N, judged on the last quarter second.
            double pps = (seen - quickCheckSeen) * 1e9 / (now - quickCheckNanos);
            int raised = rateController.quickRaise(current, pps);
            quickCheckSeen = seen;
            quickCheckNanos = now;
            if (raised != current) {
                dataPlane.setSampleRate(raised);
                rateCheckSeen = seen;
                rateCheckNanos = now;
            }
            return;
        }
        if (rateCheckSeen >= 0) {
            double pps = (seen - rateCheckSeen) * 1e9 / (now - rateCheckNanos);
            int next = rateController.next(current, pps);
            if (next != current) {
                dataPlane.setSampleRate(next);
            }
        }
        rateCheckSeen = seen;
        rateCheckNanos = now;
        quickCheckSeen = seen;
        quickCheckNanos = now;
    }
}

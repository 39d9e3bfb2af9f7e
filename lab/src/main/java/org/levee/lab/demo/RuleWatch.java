package org.levee.lab.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.levee.agent.Agent;
import org.levee.agent.detect.ActiveAttack;
import org.levee.rules.AttackEvidence;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.rules.StoredRule;

/**
 * Watches a running agent from a background thread every {@value #PERIOD_MILLIS} ms: when each
 * automatic rule came into force (the rule book lists a rule only once the data plane runs it)
 * and when it was removed, and when each attack was detected (from the agent's attack tracker).
 * At a rule's first sighting it also calls a hook, so the demo can read its counters at the moment
 * of mitigation.
 */
final class RuleWatch implements AutoCloseable {
    static final int PERIOD_MILLIS = 10;

    /** One automatic rule's life, in {@link System#nanoTime()} values; {@code removedNanos} 0 while in force. */
    record Sighting(Rule rule, Optional<AttackEvidence> evidence, long inForceNanos, long removedNanos) {}

    /** One attack the detector declared, in {@link System#nanoTime()} values. */
    record Detection(String destination, String trafficClass, long detectedNanos) {}

    private final Agent agent;
    private final long originNanos;
    private final Instant originInstant;
    private final Runnable onNewRule;
    private final Map<String, Sighting> rules = new LinkedHashMap<>();
    private final Map<String, Detection> detections = new HashMap<>();
    private final List<Detection> allDetections = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private RuleWatch(Agent agent, Runnable onNewRule) {
        this.agent = agent;
        this.originNanos = System.nanoTime();
        this.originInstant = Instant.now();
        this.onNewRule = onNewRule;
        this.thread = Thread.ofPlatform().daemon().name("demo-rule-watch").unstarted(this::watch);
    }

    static RuleWatch start(Agent agent, Runnable onNewRule) {
        RuleWatch w = new RuleWatch(agent, onNewRule);
        w.thread.start();
        return w;
    }

    private void watch() {
        while (running) {
            poll();
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One look at the agent; the watch thread calls it, and {@link #close()} once more at the end. */
    synchronized void poll() {
        long now = System.nanoTime();
        List<StoredRule> inForce = agent.rules().list();
        boolean added = false;
        for (StoredRule r : inForce) {
            if (r.rule().origin() == Origin.AUTO && !rules.containsKey(r.id())) {
                rules.put(r.id(), new Sighting(r.rule(), r.evidence(), now, 0));
                added = true;
            }
        }
        for (var e : rules.entrySet()) {
            Sighting s = e.getValue();
            if (s.removedNanos() == 0 && inForce.stream().noneMatch(r -> r.id().equals(e.getKey()))) {
                e.setValue(new Sighting(s.rule(), s.evidence(), s.inForceNanos(), now));
            }
        }
        for (ActiveAttack a : agent.attacks().active()) {
            String key = a.destination() + "/" + a.trafficClass() + "@" + a.detected();
            if (!detections.containsKey(key)) {
                // The tracker stamps detection with the agent's wall clock; map it onto nanoTime.
                long nanos = originNanos
                        + java.time.Duration.between(originInstant, a.detected())
                                .toNanos();
                Detection d = new Detection(a.destination(), a.trafficClass(), nanos);
                detections.put(key, d);
                allDetections.add(d);
            }
        }
        if (added) {
            onNewRule.run();
        }
    }

    synchronized List<Sighting> sightings() {
        return List.copyOf(rules.values());
    }

    synchronized List<Detection> detections() {
        return List.copyOf(allDetections);
    }

    /** Ids of the automatic rules in force now. */
    synchronized List<String> inForce() {
        return rules.values().stream()
                .filter(s -> s.removedNanos() == 0)
                .map(s -> s.rule().id())
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        poll();
    }
}

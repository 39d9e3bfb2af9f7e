package org.levee.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.levee.agent.api.ApiServer;
import org.levee.agent.api.NodeStatus;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.detect.AttackTracker;
import org.levee.agent.detect.AutoRules;
import org.levee.agent.detect.DetectionLoop;
import org.levee.agent.detect.NodeNotifications;
import org.levee.agent.metrics.AgentMetrics;
import org.levee.agent.rules.RuleBook;
import org.levee.agent.rules.RuleStore;
import org.levee.config.ApiSecurity;
import org.levee.dataplane.DataPlane;
import org.levee.detector.Detector;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.rule.LibpcapTcpdumpCompiler;
import org.levee.notify.Notifier;
import org.levee.rules.Origin;
import org.levee.rules.RuleGuard;
import org.levee.rules.StoredRule;
import org.levee.upstream.UpstreamKeeper;
import org.levee.upstream.gobgp.GobgpSpeaker;

/**
 * A running node: the stored rules applied to the data plane, the sampler thread feeding the
 * detector, the expiry timer, the HTTP API and, with an {@code upstream:} section, the keeper of
 * the BGP speaker's routes. {@link #start} brings them up in that order, so protection from the
 * previous run is in force before anything else happens.
 */
public final class Agent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final AgentConfig config;
    private final DataPlane dataPlane;
    private final RuleBook rules;
    private final AttackTracker attacks = new AttackTracker();
    private final DetectionLoop detection;
    private final Thread detectionThread;
    private final ScheduledExecutorService timer;
    private final AgentMetrics metrics;
    private final ApiServer api;
    private final Optional<UpstreamKeeper> upstream;
    private final Instant started;
    private final Clock clock;
    private final Notifier notifier;
    private final NodeNotifications notifications;
    private boolean closed;

    private Agent(AgentConfig config, DataPlane dataPlane, ApiSecurity security, Clock clock) {
        this.config = config;
        this.dataPlane = dataPlane;
        this.started = clock.instant();
        this.clock = clock;
        this.rules = RuleBook.restore(
                new RuleStore(config.stateDir()),
                dataPlane,
                config.datacenter(),
                clock,
                config.restoredAutoRuleGrace());
        this.notifier = Notifier.start(config.notifications());
        this.notifications = new NodeNotifications(notifier, config.node(), config.datacenter());
        dataPlane.setSampleRate(config.sampling().initialRate());
        RuleGuard guard = config.ruleGuard();
        // Secret hash keys: the detector's tables are keyed by addresses a spoofer chooses.
        Detector detector = new Detector(
                config.detector(),
                new FingerprintFilterCompiler(new LibpcapTcpdumpCompiler()),
                "auto-",
                guard,
                new SecureRandom());
        this.detection = new DetectionLoop(
                dataPlane,
                detector,
                rules,
                new AutoRules(started),
                attacks,
                config,
                clock,
                this::countDecision,
                notifications);
        rules.guard(guard, detection::legitimateTraffic);
        this.metrics = new AgentMetrics(dataPlane, rules, attacks, detection, notifier);
        // A platform thread: the detector is busy, and the data plane may block in epoll.
        this.detectionThread =
                Thread.ofPlatform().name("levee-detection").daemon(true).unstarted(detection);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("levee-expiry").daemon(true).factory());
        try {
            this.api = new ApiServer(rules, dataPlane::counters, this::status, metrics, security);
        } catch (IOException e) {
            notifier.close(java.time.Duration.ZERO);
            throw new UncheckedIOException("cannot listen on " + config.apiAddress() + ": " + e.getMessage(), e);
        }
        this.upstream = config.upstream().map(u -> new UpstreamKeeper(u, GobgpSpeaker.of(u), rules::list, clock));
        upstream.ifPresent(keeper -> {
            rules.onChange(keeper::rulesChanged);
            api.showUpstream(keeper);
            metrics.upstream(keeper);
        });
    }

    /**
     * Starts a node on an open data plane, which it then owns.
     *
     * The API's token and TLS come from {@code config.api()} ({@link ApiSecurity#open}: the token is
     * generated in the state directory on first start).
     *
     * @throws org.levee.agent.rules.RuleStoreException when the state file is unreadable
     * @throws org.levee.config.ConfigException when the API's token or TLS files are unusable
     * @throws UncheckedIOException when the API address is taken
     */
    public static Agent start(AgentConfig config, DataPlane dataPlane) {
        return start(config, dataPlane, Clock.systemUTC());
    }

    public static Agent start(AgentConfig config, DataPlane dataPlane, Clock clock) {
        return start(config, dataPlane, ApiSecurity.open(config.api(), config.stateDir()), clock);
    }

    /** Starts a node whose API's security was opened (and so checked) before the data plane was. */
    public static Agent start(AgentConfig config, DataPlane dataPlane, ApiSecurity security) {
        return start(config, dataPlane, security, Clock.systemUTC());
    }

    private static Agent start(AgentConfig config, DataPlane dataPlane, ApiSecurity security, Clock clock) {
        Agent agent = new Agent(config, dataPlane, security, clock);
        // A single node is the only announcer: the first synchronisation also withdraws what an
        // earlier run announced for rules that are gone now.
        agent.upstream.ifPresent(keeper -> keeper.start(true, ""));
        agent.detectionThread.start();
        agent.timer.scheduleWithFixedDelay(agent::expireRules, 1, 1, TimeUnit.SECONDS);
        agent.api.start();
        dataPlane.warmUp();
        return agent;
    }

    /** What the API shows as the node's status, read now. */
    private NodeStatus status() {
        return new NodeStatus(
                dataPlane.attachment(),
                rules.version(),
                config.datacenter(),
                config.node(),
                started,
                dataPlane.sampleRate(),
                config.sampling(),
                dataPlane.counters(),
                detection.samplesRead(),
                rules.list(),
                attacks.active());
    }

    /** Called by the sampler thread, which starts after the constructor has set {@link #metrics}. */
    private void countDecision(org.levee.detector.Decision d) {
        metrics.decision(d);
    }

    private void expireRules() {
        try {
            List<StoredRule> before = rules.list();
            List<String> expired = rules.expire();
            if (!expired.isEmpty()) {
                LOG.log(Level.INFO, "expired rules " + String.join(", ", expired));
                Instant now = clock.instant();
                before.stream()
                        .filter(r -> expired.contains(r.id()) && r.rule().origin() == Origin.AUTO)
                        .forEach(r -> notifications.expired(r, now));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "expiring rules failed, retrying in a second: " + e.getMessage());
        }
    }

    public DataPlane dataPlane() {
        return dataPlane;
    }

    public RuleBook rules() {
        return rules;
    }

    /** Where notifications go, with what became of them. */
    public Notifier notifier() {
        return notifier;
    }

    public AttackTracker attacks() {
        return attacks;
    }

    /** The keeper of the upstream routes, when the configuration has an {@code upstream:} section. */
    public Optional<UpstreamKeeper> upstream() {
        return upstream;
    }

    /** The legitimate traffic of the last minute, as the rule guard sees it (copied once a second). */
    public org.levee.rules.LegitimateTraffic legitimateTraffic() {
        return detection.legitimateTraffic();
    }

    /** Samples read from the ring buffer since start. */
    public long samplesRead() {
        return detection.samplesRead();
    }

    /** Where the API listens (the real port when the configured one was 0). */
    public InetSocketAddress apiAddress() {
        return api.address();
    }

    /** The API's URL: {@code http://} or {@code https://}, the address it listens on. */
    public String apiUrl() {
        return api.scheme() + "://" + api.address().getHostString() + ":"
                + api.address().getPort();
    }

    /**
     * Stops the API, the timer, the sampler thread and the upstream keeper, then releases the data
     * plane: the program stays attached unless the configuration says to detach on exit, and the
     * upstream routes stay announced (the next run reconciles them with its rules).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.stop();
        timer.shutdownNow();
        detection.stop();
        try {
            detectionThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        upstream.ifPresent(UpstreamKeeper::close);
        dataPlane.close(config.detachOnExit());
        notifier.close(); // what is queued gets a moment to go out
    }
}

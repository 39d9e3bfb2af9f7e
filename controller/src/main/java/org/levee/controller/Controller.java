package org.levee.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.levee.config.ApiSecurity;
import org.levee.config.GuardSection;
import org.levee.controller.api.ControllerApi;
import org.levee.controller.api.RuleCounts;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.detect.DetectionEngine;
import org.levee.controller.fleet.EdgeRuleRates;
import org.levee.controller.fleet.EdgeTraffic;
import org.levee.controller.fleet.FleetStatusReader;
import org.levee.controller.ingest.AgentDirectory;
import org.levee.controller.ingest.SampleIngest;
import org.levee.controller.metrics.ControllerMetrics;
import org.levee.controller.notify.FleetNotifications;
import org.levee.controller.rules.AutoRuleSync;
import org.levee.controller.rules.FencedWrites;
import org.levee.controller.rules.Problem;
import org.levee.controller.rules.ProblemsJson;
import org.levee.controller.rules.RetirementCheck;
import org.levee.controller.rules.RuleCatalog;
import org.levee.controller.rules.RuleSourceStore;
import org.levee.controller.rules.RuleUpkeep;
import org.levee.controller.rules.RulesetPublisher;
import org.levee.dataplane.WarmUp;
import org.levee.detector.Decision;
import org.levee.detector.Detector;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.notify.Notifier;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleGuard;
import org.levee.rules.StoredRule;
import org.levee.rules.StoredRuleCodec;
import org.levee.sflow.SflowCollector;
import org.levee.store.Fence;
import org.levee.store.FleetKeys;
import org.levee.store.LeaderElection;
import org.levee.store.LeadershipListener;
import org.levee.store.NotLeaderException;
import org.levee.store.ObjectCollector;
import org.levee.store.Registration;
import org.levee.store.RegistrationJson;
import org.levee.store.RulesetManifest;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.etcd.KeyRange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.RangeResult;
import org.levee.store.etcd.StoreException;
import org.levee.store.etcd.WatchUpdate;
import org.levee.store.signing.KeyFileException;
import org.levee.store.signing.KeyId;
import org.levee.store.signing.ManifestSignature;
import org.levee.store.signing.SigningKey;
import org.levee.upstream.UpstreamJson;
import org.levee.upstream.UpstreamKeeper;
import org.levee.upstream.gobgp.GobgpSpeaker;
import org.levee.web.TrafficCounts;

/**
 * The fleet's Gatebot, {@code levee controller}: receives sFlow from every edge (and any other
 * sFlow agent), runs one detector over all their samples, and — while it is the leader elected
 * through etcd — writes the detector's rules to {@code PREFIX rules/}, compiles every valid rule
 * source there into one object and publishes it with its manifest. Followers receive the same
 * samples and keep their detector warm; a new leader adopts the automatic rules in etcd.
 * docs/fleet.md ("Controller") describes it.
 *
 * <p>Threads: the sFlow collector's (samples into the detector), {@code levee-controller-detect}
 * (every 50 ms: the detector's clock and decisions), {@code levee-controller-store} (everything
 * the leader writes, one thing at a time: automatic rules, compilation and publication, problems,
 * expiry, garbage collection), the watches' and the election's own threads (which hand their
 * news to the store thread), and the API's.
 */
public final class Controller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Controller.class.getName());
    private static final long TICK_MILLIS = 50;
    /** Rule changes come in bursts (an operator's script, a detector's several attacks): compile once after them. */
    private static final long COMPILE_DELAY_MILLIS = 50;

    private static final long RETRY_MILLIS = 1000;
    private static final long UPKEEP_MILLIS = 1000;
    /** How long the rules watch may lag behind this controller's own rule write before the rules are read directly. */
    private static final long RULES_LAG_MILLIS = 1000;

    private static final long COLLECT_MILLIS = 30_000;
    private static final String NOT_LEADING = "not the leader: only the leading controller announces upstream";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final ControllerConfig config;
    private final String identity;
    private final FleetKeys keys;
    private final EtcdClient client;
    private final Clock clock = Clock.systemUTC();
    private final Instant started = clock.instant();
    private final String ownRulePrefix;
    private final RuleFilters filters = new RuleFilters();
    private final AgentDirectory directory;
    private final DetectionEngine engine;
    private final RuleCatalog catalog;
    private final RulesetPublisher publisher;
    private final RuleUpkeep upkeep;
    private final AutoRuleSync autoRules;
    private final RuleSourceStore ruleSources;
    private final FleetNotifications notifications;
    private final ControllerMetrics metrics;
    private final ScheduledExecutorService store = new LoggingScheduler("levee-controller-store");
    private final ScheduledExecutorService detect = new LoggingScheduler("levee-controller-detect");

    private SflowCollector collector;
    private ControllerApi api;
    private LeaderElection election;
    private PrefixWatch rulesWatch;
    private PrefixWatch nodesWatch;
    private PrefixWatch manifestWatch;

    // Read by any thread.
    private volatile boolean leading;
    private volatile Optional<RulesetManifest> manifest = Optional.empty();
    private volatile List<Problem> problems = List.of();
    private volatile Map<String, RuleCounts> ruleCounts = Map.of();
    private final EdgeRuleRates edgeRuleRates = new EdgeRuleRates();
    private final EdgeTraffic edgeTraffic = new EdgeTraffic();
    private final RetirementCheck retirementCheck;
    private volatile ObjectNode lastCompile;
    private volatile boolean closed;
    private final Optional<UpstreamKeeper> upstream;
    /** The valid rule sources as last read (by every controller: a new leader announces from them at once). */
    private volatile List<StoredRule> liveRules = List.of();

    // The store thread's.
    private Fence fence;
    private RuleCatalog.Sources sources;
    private boolean compileScheduled;
    private boolean flushScheduled;
    private List<Problem> problemsWritten;
    private ObjectCollector objectCollector;
    private long lastCollect;
    /** Since when (System.nanoTime) the rules read last lag behind this controller's own last rule write; -1: they do not. */
    private long rulesBehindSince = -1;

    private Controller(ControllerConfig config, EtcdClient client, Optional<SigningKey> signingKey) {
        this.config = config;
        this.identity = config.name();
        this.keys = config.keys();
        this.client = client;
        this.ownRulePrefix = "auto-" + Long.toString(started.getEpochSecond(), 36) + "-" + shortHash(identity) + "-";
        this.directory = new AgentDirectory(config.sflowAgents());
        // The controller's endpoints: etcd's and SSH; its own API is reached from the operators' network, not through
        // edges.
        RuleGuard guard = RuleGuard.of(
                config.guard(),
                GuardSection.defaultEndpoints(
                        Optional.empty(), client.settings().endpoints()));
        this.engine = new DetectionEngine(new Detector(
                config.detector(), new FingerprintFilterCompiler(), ownRulePrefix, guard, new SecureRandom()));
        this.catalog = new RuleCatalog(keys, filters);
        this.publisher = new RulesetPublisher(client, keys, filters, identity, clock, signingKey);
        this.upkeep = new RuleUpkeep(client, keys);
        this.notifications = new FleetNotifications(
                client,
                keys,
                Notifier.start(config.notifications()),
                identity,
                clock,
                this::onStoreThread,
                config.notifications().nodeLostAfter());
        this.autoRules = new AutoRuleSync(client, keys, engine, ownRulePrefix, clock, notifications);
        this.retirementCheck = new RetirementCheck(
                edgeRuleRates,
                engine,
                config.detector().endFraction(),
                config.detector().cooldown());
        this.ruleSources = new RuleSourceStore(client, keys, filters, clock, guard, engine::legitimateTraffic);
        this.metrics = new ControllerMetrics(new Probe(), notifications.notifier());
        this.upstream = config.upstream().map(u -> new UpstreamKeeper(u, GobgpSpeaker.of(u), () -> liveRules, clock));
    }

    /** Runs {@code task} on the store thread (where the notifications hand back a sink's outcome). */
    private void onStoreThread(Runnable task) {
        store.execute(task);
    }

    /**
     * Starts a controller: connects to etcd, watches the rules, registrations and manifest,
     * receives sFlow, serves the API, and campaigns for leadership. Nothing is left running when
     * it fails.
     *
     * The API's token and TLS come from {@code config.api()} ({@link ApiSecurity#open}: the token is
     * generated in {@code config.stateDir()} on first start).
     *
     * @throws IOException when the sFlow or API address cannot be bound
     * @throws org.levee.config.ConfigException when the API's token or TLS files are unusable
     * @throws KeyFileException when the signing key cannot be used (before anything is opened)
     */
    public static Controller start(ControllerConfig config, EtcdSettings etcd) throws IOException {
        return start(config, etcd, ApiSecurity.open(config.api(), config.stateDir()));
    }

    /** Starts a controller whose API's security was opened (and so checked) first. */
    public static Controller start(ControllerConfig config, EtcdSettings etcd, ApiSecurity security)
            throws IOException {
        Optional<SigningKey> signingKey = signingKey(config);
        EtcdClient client = EtcdClient.connect(etcd);
        Controller c = new Controller(config, client, signingKey);
        try {
            c.startAll(security);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The configured signing key, read and checked (a key file other users may read is refused),
     * with a warning when its group may read it or when there is none.
     *
     * @throws KeyFileException naming the file and what is wrong
     */
    public static Optional<SigningKey> signingKey(ControllerConfig config) {
        if (config.signingKey().isEmpty()) {
            LOG.log(
                    Level.WARNING,
                    "no signing key (signing.key, --signing-key): rule sets are published unsigned, and edges"
                            + " that trust signing keys refuse them (docs/security.md, \"Signed rule sets\")");
            return Optional.empty();
        }
        Path file = config.signingKey().get();
        SigningKey key = SigningKey.read(file);
        SigningKey.groupAccessWarning(file).ifPresent(w -> LOG.log(Level.WARNING, w));
        LOG.log(Level.INFO, "signing rule sets with key " + key.id() + " (" + file + ")");
        return Optional.of(key);
    }

    private void startAll(ApiSecurity security) throws IOException {
        nodesWatch = PrefixWatch.startPrefix(client, keys.nodes(), this::onNodes);
        manifestWatch = PrefixWatch.start(client, KeyRange.key(keys.ruleset()), this::onManifest);
        rulesWatch = PrefixWatch.startPrefix(client, keys.rules(), update -> store.execute(() -> onRules(update)));
        SampleIngest ingest = new SampleIngest(directory, engine::accept, Controller::nanos);
        collector = SflowCollector.start(config.sflowListen(), ingest);
        api = new ControllerApi(
                ruleSources,
                () -> ruleCounts,
                () -> manifest.map(RulesetManifest::version).orElse(0L),
                () -> FleetStatusReader.read(client, keys, clock.instant()),
                this::statusJson,
                metrics,
                () -> edgeTraffic.now(nanos()),
                security);
        upstream.ifPresent(api::showUpstream);
        api.start();
        // A follower that takes over compiles at once: its first compilation must not be a cold one.
        WarmUp.inBackground(false);
        detect.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        store.scheduleWithFixedDelay(this::upkeep, UPKEEP_MILLIS, UPKEEP_MILLIS, TimeUnit.MILLISECONDS);
        upstream.ifPresent(keeper -> keeper.start(false, NOT_LEADING));
        election = LeaderElection.start(client, keys.leader(), identity, config.leaderTtl(), new LeadershipListener() {
            @Override
            public void elected(Fence f) {
                leading = true;
                store.execute(() -> onElected(f));
            }

            @Override
            public void deposed(String why) {
                leading = false;
                // At once, not on the store thread: two controllers must never both announce.
                upstream.ifPresent(keeper -> keeper.standBy(NOT_LEADING));
                store.execute(() -> onDeposed(why));
            }
        });
    }

    /** The detector's clock: the JVM's monotonic nanoseconds (CLOCK_MONOTONIC on Linux, never negative). */
    private static long nanos() {
        return Math.max(0, System.nanoTime());
    }

    // ---- detection ----------------------------------------------------------------------------

    private void tick() {
        try {
            List<Decision> decisions = engine.tick(nanos());
            if (decisions.isEmpty()) {
                return;
            }
            for (Decision d : decisions) {
                metrics.decision(d);
                if (d.kind() != Decision.Kind.ATTACK_ENDED || LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(
                            Level.INFO,
                            (leading ? "" : "(follower) ") + d.kind().name().toLowerCase(java.util.Locale.ROOT)
                                    + " " + d.destination() + " "
                                    + d.trafficClass().name().toLowerCase(java.util.Locale.ROOT)
                                    + (d.rule() == null
                                            ? ""
                                            : " rule " + d.rule().id() + " "
                                                    + d.rule().action().keyword() + " in "
                                                    + (d.rule().datacenters().isEmpty()
                                                            ? "all data centers"
                                                            : String.join(
                                                                    ",",
                                                                    d.rule().datacenters()))));
                }
            }
            store.execute(() -> {
                List<Decision> checked = retirementCheck.check(decisions, autoRules::evidenceOf);
                autoRules.decisions(checked);
                flushAutoRules();
                if (fence != null) {
                    try {
                        notifications.decisions(checked);
                    } catch (NotLeaderException e) {
                        lostLeadership(e);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "detection round failed: " + e, e);
        }
    }

    // ---- the store thread ---------------------------------------------------------------------

    private void onRules(WatchUpdate update) {
        if (sources != null && update.cause() == WatchUpdate.Cause.EVENTS && update.revision() < sources.revision()) {
            return; // older than the rules read directly (catchUpWithOwnWrites): the watch is catching up
        }
        sources = catalog.read(update.revision(), update.snapshot(), clock.instant());
        problems = sources.problems();
        rulesForUpstream();
        autoRules.sources(sources);
        flushAutoRules();
        scheduleCompile(COMPILE_DELAY_MILLIS);
    }

    private void onElected(Fence f) {
        if (closed) {
            return;
        }
        fence = f;
        problemsWritten = null;
        objectCollector = new ObjectCollector(client, keys, config.objectGrace());
        try {
            readRules();
            autoRules.elected(f, sources);
        } catch (StoreException e) {
            LOG.log(
                    Level.WARNING,
                    "leader {0}: cannot read the rules yet, trying again: {1}",
                    identity,
                    e.getMessage());
            store.schedule(
                    () -> {
                        if (fence == f) {
                            onElected(f);
                        }
                    },
                    RETRY_MILLIS,
                    TimeUnit.MILLISECONDS);
            return;
        }
        // Only now, with the rules just read: announcing from a stale or empty list would withdraw
        // the routes of rules the previous leader kept announced.
        if (fence == f && leading) {
            upstream.ifPresent(UpstreamKeeper::activate);
        }
        flushAutoRules();
        compile();
        notifyElected(f);
    }

    /** Sends what the previous leader recorded and did not send; reconciles the attacks under way. */
    private void notifyElected(Fence f) {
        if (fence != f || closed) {
            return;
        }
        try {
            notifications.elected(f, engine.attacks(), nanos());
        } catch (NotLeaderException e) {
            lostLeadership(e);
        } catch (StoreException e) {
            LOG.log(
                    Level.WARNING,
                    "leader {0}: cannot read the notifications yet, trying again: {1}",
                    identity,
                    e.getMessage());
            store.schedule(() -> notifyElected(f), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The upstream keeper reads the rules read last; it synchronises at once when it is active. */
    private void rulesForUpstream() {
        liveRules = List.copyOf(sources.rules().values());
        upstream.ifPresent(UpstreamKeeper::rulesChanged);
    }

    private void onDeposed(String why) {
        LOG.log(Level.INFO, "{0} is no longer the leader: {1}", identity, why);
        fence = null;
        // Again on this thread, after an onElected that may have activated the keeper meanwhile.
        upstream.ifPresent(keeper -> keeper.standBy(NOT_LEADING));
        autoRules.deposed();
        notifications.deposed();
    }

    /** The fence failed under a write: etcd gave the leader key to someone else (the election tells us too). */
    private void lostLeadership(NotLeaderException e) {
        LOG.log(Level.INFO, "{0}: {1}", identity, e.getMessage());
        upstream.ifPresent(keeper -> keeper.standBy(NOT_LEADING));
        fence = null;
        autoRules.deposed();
        notifications.deposed();
    }

    /**
     * The rules watch delivers this controller's own rule writes within milliseconds, and each
     * delivery compiles. When it has not delivered the last one for a second or more (a stream
     * stuck on a lagging member), the rules are read from etcd directly and compiled, so the
     * leader's own rules reach the edges whatever the watch does; the watch catches up on its own.
     */
    private void catchUpWithOwnWrites() {
        long wrote = autoRules.lastWriteRevision();
        if (fence == null || sources == null || wrote <= sources.revision()) {
            rulesBehindSince = -1;
            return;
        }
        long now = System.nanoTime();
        if (rulesBehindSince < 0) {
            rulesBehindSince = now;
            return;
        }
        if (now - rulesBehindSince < TimeUnit.MILLISECONDS.toNanos(RULES_LAG_MILLIS)) {
            return;
        }
        LOG.log(
                Level.WARNING,
                "the rules watch has not delivered revision {0} (this controller''s last rule write) for {1} ms"
                        + " (it is at {2}, {3}): reading the rules from etcd",
                wrote,
                (now - rulesBehindSince) / 1_000_000,
                sources.revision(),
                rulesWatch.state());
        rulesBehindSince = -1;
        readRules();
        autoRules.sources(sources);
        compile();
    }

    /** Reads the rules from etcd directly, not from the watch: they are the sources from now on. */
    private void readRules() {
        RangeResult range = client.get(KeyRange.prefix(keys.rules()));
        TreeMap<String, KeyValue> snapshot = new TreeMap<>();
        range.kvs().forEach(kv -> snapshot.put(kv.key(), kv));
        sources = catalog.read(range.revision(), snapshot, clock.instant());
        problems = sources.problems();
        rulesForUpstream();
    }

    /** Stops following the rules: a watch that delivers nothing more, for the test of {@link #catchUpWithOwnWrites}. */
    void stopRulesWatch() {
        rulesWatch.close();
    }

    private void flushAutoRules() {
        if (fence == null) {
            return;
        }
        try {
            if (!autoRules.flush() && !flushScheduled) {
                flushScheduled = true;
                store.schedule(
                        () -> {
                            flushScheduled = false;
                            flushAutoRules();
                        },
                        RETRY_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        } catch (NotLeaderException e) {
            lostLeadership(e);
        }
    }

    private void scheduleCompile(long delayMillis) {
        if (fence == null || compileScheduled) {
            return;
        }
        compileScheduled = true;
        store.schedule(
                () -> {
                    compileScheduled = false;
                    compile();
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
    }

    private void compile() {
        if (fence == null || sources == null || closed) {
            return;
        }
        RulesetPublisher.Outcome outcome;
        try {
            outcome = publisher.publish(sources, fence);
        } catch (NotLeaderException e) {
            lostLeadership(e);
            return;
        } catch (StoreException e) {
            metrics.publishFailed();
            LOG.log(Level.WARNING, "publishing the rule set failed, trying again: " + e.getMessage());
            scheduleCompile(RETRY_MILLIS);
            return;
        }
        if (outcome.compileTime().isPositive()) {
            metrics.compiled(outcome.compileTime());
        }
        outcome.current().ifPresent(m -> manifest = Optional.of(m));
        ObjectNode compiled = JsonNodeFactory.instance.objectNode();
        compiled.put("at", clock.instant().toString());
        compiled.put("millis", outcome.compileTime().toNanos() / 1e6);
        compiled.put("rules", sources.rules().size());
        compiled.put("published", outcome.published().isPresent());
        outcome.published().ifPresent(m -> compiled.put("version", m.version()));
        outcome.problem().ifPresent(p -> compiled.put("problem", p.problem()));
        lastCompile = compiled;
        if (outcome.published().isPresent()) {
            metrics.published();
        }
        List<Problem> now = new java.util.ArrayList<>(sources.problems());
        outcome.problem().ifPresent(p -> {
            metrics.publishFailed();
            now.add(p);
        });
        problems = List.copyOf(now);
        writeProblems(problems);
    }

    private void writeProblems(List<Problem> list) {
        if (fence == null || list.equals(problemsWritten)) {
            return;
        }
        for (Problem p : list) {
            if (problemsWritten == null || !problemsWritten.contains(p)) {
                LOG.log(Level.WARNING, "rule left out of the rule set: " + p);
            }
        }
        byte[] value = ProblemsJson.encode(new ProblemsJson.Report(identity, clock.instant(), list));
        try {
            FencedWrites.write(client, fence, List.of(), List.of(Op.put(keys.problems(), value)));
            problemsWritten = list;
        } catch (NotLeaderException e) {
            lostLeadership(e);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "writing " + keys.problems() + " failed, trying again: " + e.getMessage());
            scheduleCompile(RETRY_MILLIS);
        }
    }

    /** Every second: expired rules, rules without created, retried writes; now and then, garbage. */
    private void upkeep() {
        if (fence == null || sources == null || closed) {
            return;
        }
        try {
            upkeep.run(sources, fence, clock.instant());
            flushAutoRules();
            catchUpWithOwnWrites();
            if (fence != null) {
                notifications.upkeep();
            }
            if (fence != null && System.currentTimeMillis() - lastCollect >= COLLECT_MILLIS) {
                lastCollect = System.currentTimeMillis();
                ObjectCollector.Collection c = objectCollector.collect();
                if (!c.deleted().isEmpty()) {
                    LOG.log(
                            Level.INFO,
                            "removed {0} objects no manifest names",
                            c.deleted().size());
                }
            }
        } catch (NotLeaderException e) {
            lostLeadership(e);
        } catch (StoreException e) {
            LOG.log(Level.DEBUG, "upkeep: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "upkeep failed: " + e, e);
        }
    }

    /** Runs a garbage collection of objects now (as the leader), and says what it did. */
    public ObjectCollector.Collection collectGarbage() throws Exception {
        return store.submit(() -> {
                    if (fence == null) {
                        throw new NotLeaderException(identity + " is not the leader");
                    }
                    lastCollect = System.currentTimeMillis();
                    return objectCollector.collect();
                })
                .get(30, TimeUnit.SECONDS);
    }

    // ---- watches of other threads -------------------------------------------------------------

    private void onManifest(WatchUpdate update) {
        KeyValue kv = update.snapshot().get(keys.ruleset());
        manifest = kv == null ? Optional.empty() : RulesetPublisher.decode(kv);
    }

    private void onNodes(WatchUpdate update) {
        Map<java.net.InetAddress, AgentDirectory.Assignment> agents = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        Map<String, EdgeRuleRates.Reported> reports = new HashMap<>();
        Map<String, FleetNotifications.Edge> edges = new HashMap<>();
        long highest = 0;
        Map<String, EdgeTraffic.Reported> traffic = new HashMap<>();
        for (KeyValue kv : update.snapshot().values()) {
            Optional<String[]> where = keys.nodeOf(kv.key());
            if (where.isEmpty()) {
                continue;
            }
            try {
                if (JSON.readTree(kv.value()) instanceof ObjectNode o) {
                    edges.put(
                            kv.key(),
                            new FleetNotifications.Edge(where.get()[0], where.get()[1], kv.createRevision(), o));
                }
            } catch (IOException e) {
                // not JSON: RegistrationJson says why below
            }
            Registration r;
            try {
                r = RegistrationJson.decode(kv.value(), kv.key());
            } catch (IllegalArgumentException e) {
                LOG.log(Level.DEBUG, e.getMessage());
                continue;
            }
            highest = Math.max(highest, r.version());
            r.sflowAgent()
                    .flatMap(RegistrationJson::agentAddress)
                    .ifPresent(address -> agents.put(
                            address,
                            new AgentDirectory.Assignment(
                                    where.get()[0], where.get()[1], AgentDirectory.Source.REGISTRATION)));
            JsonNode perRule = r.counters().path("rules");
            Map<String, Long> packets = new HashMap<>();
            perRule.properties().forEach(e -> {
                long[] c = counts.computeIfAbsent(e.getKey(), k -> new long[2]);
                c[0] += e.getValue().path("packets").asLong();
                c[1] += e.getValue().path("bytes").asLong();
                packets.put(e.getKey(), e.getValue().path("packets").asLong());
            });
            Registration reg = r;
            r.reported()
                    .ifPresent(at ->
                            reports.put(reg.datacenter() + "/" + reg.node(), new EdgeRuleRates.Reported(at, packets)));
            JsonNode totals = r.counters();
            r.reported()
                    .ifPresent(at -> traffic.put(
                            reg.datacenter() + "/" + reg.node(),
                            new EdgeTraffic.Reported(
                                    at,
                                    new TrafficCounts(
                                            totals.path("seen").asLong(),
                                            totals.path("passed").asLong(),
                                            totals.path("dropped").asLong(),
                                            totals.path("ratelimited").asLong(),
                                            totals.path("sampled").asLong()))));
        }
        long received = nanos();
        edgeRuleRates.update(reports, received);
        edgeTraffic.update(traffic, received);
        notifications.nodes(edges);
        directory.registered(agents);
        if (publisher.edgesRun(highest, manifest)) {
            // edges run a newer set than etcd's manifest (etcd lost it, or went back to a backup): publish above it
            try {
                store.execute(() -> scheduleCompile(COMPILE_DELAY_MILLIS));
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
        Map<String, RuleCounts> byRule = new HashMap<>();
        counts.forEach((id, c) -> byRule.put(id, new RuleCounts(c[0], c[1])));
        ruleCounts = Map.copyOf(byRule);
    }

    // ---- status -------------------------------------------------------------------------------

    /** This controller's identity: the leader key's value when it leads. */
    public String identity() {
        return identity;
    }

    /** True while this controller is the leader (as far as it knows: etcd checks every write). */
    public boolean isLeader() {
        return leading;
    }

    /** The leader as last seen in etcd, whoever it is. */
    public Optional<String> leader() {
        return election == null ? Optional.empty() : election.leader().map(l -> l.identity());
    }

    /** What the ids of this controller's automatic rules start with. */
    public String ruleIdPrefix() {
        return ownRulePrefix;
    }

    /** Where sFlow is received (with the port chosen for port 0). */
    public java.net.InetSocketAddress sflowAddress() {
        return collector.localAddress();
    }

    /** Where the API listens (with the port chosen for port 0). */
    public java.net.InetSocketAddress apiAddress() {
        return api.address();
    }

    /** The API's URL: {@code http://} or {@code https://}, the address it listens on. */
    public String apiUrl() {
        return api.scheme() + "://" + api.address().getHostString() + ":"
                + api.address().getPort();
    }

    /** The rule sources left out of the set now, with why. */
    public List<Problem> problems() {
        return problems;
    }

    /** The manifest in force as this controller last saw it. */
    public Optional<RulesetManifest> manifest() {
        return manifest;
    }

    /** The agents that sent samples, with their data centers and counts. */
    public List<AgentDirectory.Agent> agents() {
        return directory.agents();
    }

    /** The detector's attacks under way. */
    public List<Detector.AttackState> attacks() {
        return engine.attacks();
    }

    /** The id of the key this controller signs rule sets with, if it has one. */
    public Optional<KeyId> signingKeyId() {
        return publisher.signingKey().map(SigningKey::id);
    }

    /** The sFlow collector's counts. */
    public SflowCollector.Stats sflowStats() {
        return collector.stats();
    }

    /** The keeper of the upstream routes (active while this controller leads), with an {@code upstream:} section. */
    public Optional<UpstreamKeeper> upstream() {
        return upstream;
    }

    /** Where the leader's notifications go, with what became of them. */
    public Notifier notifier() {
        return notifications.notifier();
    }

    /** The metrics, as {@code GET /metrics} serves them. */
    public ControllerMetrics metrics() {
        return metrics;
    }

    private ObjectNode statusJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("controller", identity);
        n.put("leader", leading);
        Optional<String> current = leader();
        if (current.isPresent()) {
            n.put("current_leader", current.get());
        } else {
            n.putNull("current_leader");
        }
        n.put("started", started.toString());
        n.put("etcd", client.settings().endpointList());
        n.put("prefix", keys.prefix());
        n.put(
                "sflow_listen",
                collector.localAddress().getHostString() + ":"
                        + collector.localAddress().getPort());
        n.put("api", api.address().getHostString() + ":" + api.address().getPort());
        n.put("rule_id_prefix", ownRulePrefix);
        SflowCollector.Stats s = collector.stats();
        ObjectNode sflow = n.putObject("sflow");
        sflow.put("datagrams", s.datagramsReceived());
        sflow.put("packet_samples", s.packetSamples());
        sflow.put("counter_samples", s.counterSamples());
        sflow.put("rejected_datagrams", s.datagramsRejectedTotal());
        sflow.put("rejected_samples", s.samplesRejectedTotal());
        sflow.put("kernel_drops", s.kernelDrops());
        ArrayNode agents = n.putArray("agents");
        for (AgentDirectory.Agent a : directory.agents()) {
            ObjectNode x = agents.addObject();
            x.put("agent", a.address() == null ? "other" : a.address().getHostAddress());
            x.put("datacenter", a.assignment().datacenter());
            x.put("node", a.assignment().node());
            x.put("source", a.assignment().source().name().toLowerCase(java.util.Locale.ROOT));
            x.put("samples", a.samples());
        }
        ObjectNode detector = n.putObject("detector");
        detector.put("samples", engine.samplesSeen());
        detector.put("undecodable", engine.samplesUndecodable());
        detector.put("destinations", engine.trackedDestinations());
        detector.put("rules", engine.rules().size());
        ArrayNode attacks = n.putArray("active_attacks");
        Instant now = clock.instant();
        long nowNanos = nanos();
        for (Detector.AttackState a : engine.attacks()) {
            ObjectNode x = attacks.addObject();
            x.put("destination", a.destination().toString());
            x.put("class", a.trafficClass().name().toLowerCase(java.util.Locale.ROOT));
            x.put(
                    "detected",
                    now.minusNanos(Math.max(0, nowNanos - a.detectedNanos())).toString());
            if (a.rule().isPresent()) {
                x.put("rule", a.rule().get().id());
            } else {
                x.putNull("rule");
            }
            x.set(
                    "evidence",
                    StoredRuleCodec.evidenceJson(a.evidence().toAttackEvidence(a.destination(), a.trafficClass())));
        }
        Optional<RulesetManifest> m = manifest;
        if (m.isPresent()) {
            ObjectNode r = n.putObject("ruleset");
            r.put("version", m.get().version());
            r.put("rules", m.get().rules().size());
            r.put("sha256", m.get().object().sha256());
            r.put("compiled_at", m.get().compiledAt().toString());
            r.put("controller", m.get().controller());
            r.put(
                    "signed_by",
                    ManifestSignature.claimedBy(m.get()).map(k -> k.hex()).orElse(null));
        } else {
            n.putNull("ruleset");
        }
        Optional<SigningKey> key = publisher.signingKey();
        if (key.isPresent()) {
            n.putObject("signing")
                    .put("key_id", key.get().id().hex())
                    .put("file", key.get().source());
        } else {
            n.putNull("signing");
        }
        ObjectNode compiled = lastCompile;
        if (compiled != null) {
            n.set("last_compile", compiled);
        } else {
            n.putNull("last_compile");
        }
        n.set("problems", ProblemsJson.list(problems));
        upstream.ifPresent(keeper -> n.set("upstream", UpstreamJson.status(keeper.status())));
        return n;
    }

    // ---- stopping -----------------------------------------------------------------------------

    /**
     * Stops: resigns leadership (another controller takes over at once), withdraws the upstream
     * routes its speaker announces (the next leader announces them from its own), closes everything.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopReceiving();
        if (election != null) {
            election.close();
        }
        // Resigned: the next leader announces from its own speaker, so this one's routes go.
        upstream.ifPresent(UpstreamKeeper::closeWithdrawing);
        stopRest();
    }

    /**
     * Stops as a crash would: the etcd connection goes first, so leadership is not resigned (the
     * other controllers take over when its lease expires, within the leader TTL). For tests of
     * failover, and for stopping on a fatal error.
     */
    public void halt() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        stopReceiving();
        if (election != null) {
            election.close();
        }
        // As a crash would: the routes stay on the speaker until this controller runs again.
        upstream.ifPresent(UpstreamKeeper::close);
        stopRest();
    }

    private void stopReceiving() {
        if (api != null) {
            api.stop();
        }
        if (collector != null) {
            collector.close();
        }
        detect.shutdownNow();
    }

    private void stopRest() {
        notifications.notifier().close(java.time.Duration.ofSeconds(1));
        for (PrefixWatch w : new PrefixWatch[] {rulesWatch, nodesWatch, manifestWatch}) {
            if (w != null) {
                w.close();
            }
        }
        store.shutdownNow();
        try {
            store.awaitTermination(10, TimeUnit.SECONDS);
            detect.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** What the metrics read. */
    private final class Probe implements ControllerMetrics.Probe {
        @Override
        public SflowCollector.Stats sflow() {
            return collector.stats();
        }

        @Override
        public List<AgentDirectory.Agent> agents() {
            return directory.agents();
        }

        @Override
        public long detectorSamples() {
            return engine.samplesSeen();
        }

        @Override
        public long detectorUndecodable() {
            return engine.samplesUndecodable();
        }

        @Override
        public int trackedDestinations() {
            return engine.trackedDestinations();
        }

        @Override
        public long detectorSamplesInAggregateOnly() {
            return engine.samplesInAggregateOnly();
        }

        @Override
        public long detectorSamplesUncounted() {
            return engine.samplesUncounted();
        }

        @Override
        public long detectorDestinationsForgotten() {
            return engine.destinationsForgotten();
        }

        @Override
        public int attacksActive() {
            return engine.attacks().size();
        }

        @Override
        public boolean leader() {
            return leading;
        }

        @Override
        public long rulesetVersion() {
            return manifest.map(RulesetManifest::version).orElse(0L);
        }

        @Override
        public int badRules() {
            return (int) problems.stream().filter(p -> p.rule().isPresent()).count();
        }

        @Override
        public long ruleWrites() {
            return autoRules.writes();
        }

        @Override
        public long ruleWriteFailures() {
            return autoRules.writeFailures();
        }

        @Override
        public long retirementsHeld() {
            return retirementCheck.held();
        }

        @Override
        public long rulesAdopted() {
            return autoRules.adopted();
        }
    }

    /**
     * A one-thread scheduler that logs what its tasks throw: a plain {@link
     * ScheduledThreadPoolExecutor} keeps a task's exception in a future nobody reads, so a
     * failure on the store thread (a compile, a watch update) would vanish without a line.
     */
    private static final class LoggingScheduler extends java.util.concurrent.ScheduledThreadPoolExecutor {
        LoggingScheduler(String name) {
            super(1, Thread.ofPlatform().name(name).daemon().factory());
        }

        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
            super.afterExecute(task, thrown);
            Throwable failure = thrown;
            if (failure == null && task instanceof java.util.concurrent.Future<?> f && f.isDone() && !f.isCancelled()) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failure != null) {
                LOG.log(Level.WARNING, "a task of the controller failed: " + failure, failure);
            }
        }
    }
}

package org.levee.agent.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.levee.agent.api.ApiServer;
import org.levee.agent.api.FleetView;
import org.levee.agent.api.NodeStatus;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.FleetConfig;
import org.levee.agent.metrics.AgentMetrics;
import org.levee.agent.rules.RuleBook;
import org.levee.agent.rules.RuleStore;
import org.levee.agent.rules.RuleTarget;
import org.levee.config.ApiSecurity;
import org.levee.config.ConfigException;
import org.levee.dataplane.AttachedProgram;
import org.levee.dataplane.Counters;
import org.levee.dataplane.XdpDataPlane;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.sflow.SflowExporter;
import org.levee.store.FleetKeys;
import org.levee.store.NodeRegistration;
import org.levee.store.RulesetStore;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.etcd.WatchState;
import org.levee.store.signing.KeyFileException;
import org.levee.store.signing.KeyId;
import org.levee.store.signing.ManifestVerifier;
import org.levee.store.signing.TrustedKey;

/**
 * {@code levee run --etcd … --sflow …}: a node as an edge of the fleet. It runs no detector: its
 * samples go to the controllers as sFlow, and its main program runs the fleet's rule set from etcd
 * ({@link RulesetFollower}). Its own rules (added through its API, kept in
 * {@code <state dir>/rules.json}) run in the second rules stage, so the fleet's object stays the
 * same on every edge of a data center. It registers itself under {@code PREFIX nodes/DC/NODE}.
 *
 * <p>{@link #start} brings the parts up so that protection comes first: nothing that needs the
 * network is waited for, a program is in place before the API answers, and etcd being away
 * changes nothing but the log and the metrics (fail static).
 */
public final class FleetEdge implements AutoCloseable {
    /** How often the sFlow exporter sends what it has. */
    static final java.time.Duration EXPORT_INTERVAL = java.time.Duration.ofMillis(25);

    private static final System.Logger LOG = System.getLogger(FleetEdge.class.getName());
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";

    private final AgentConfig config;
    private final FleetConfig fleet;
    private final XdpDataPlane dataPlane;
    private final Clock clock;
    private final Instant started;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SflowExporter exporter;
    private EtcdClient client;
    private RulesetFollower follower;
    /** What protected the interface before etcd was heard from: kept, since {@link #running()} moves on. */
    private RunningRuleset restoredOnStart;

    private RuleBook local;
    private EdgeRegistration registration;
    private SampleExport export;
    private Thread exportThread;
    private ScheduledExecutorService timer;
    /** Writes the registration: its own thread, since a put may wait for an etcd that does not answer. */
    private volatile ScheduledExecutorService reporter;

    private AgentMetrics metrics;
    private EdgeMetrics edgeMetrics;
    private ApiServer api;
    private boolean closed;

    private FleetEdge(AgentConfig config, XdpDataPlane dataPlane, Clock clock) {
        this.config = config;
        this.fleet = config.fleet();
        this.dataPlane = dataPlane;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** What the configuration gives an edge once checked: how to reach etcd, and whom to trust. */
    private record Checked(EtcdSettings etcd, Optional<ManifestVerifier> trust) {}

    /**
     * What an edge needs of the configuration, checked before anything is opened or attached: etcd
     * endpoints and their TLS files and user, a collector, a data center and a node name that can be
     * parts of a key, and the trusted keys' files.
     *
     * @return the settings to reach etcd with
     * @throws ConfigException listing each problem, named by its key and flag
     */
    public static EtcdSettings check(AgentConfig config) {
        return checked(config).etcd();
    }

    private static Checked checked(AgentConfig config) {
        FleetConfig fleet = config.fleet();
        List<String> problems = new ArrayList<>();
        if (fleet.etcdEndpoints().isEmpty()) {
            problems.add("fleet.etcd.endpoints (--etcd): an edge needs etcd's client URLs");
        }
        if (fleet.collectors().isEmpty()) {
            problems.add("fleet.sflow.collectors (--sflow): an edge sends its samples to the controllers' collectors;"
                    + " give at least one HOST[:PORT]");
        }
        if (config.datacenter().isEmpty()) {
            problems.add(
                    "datacenter (--datacenter): an edge of the fleet needs its data center (rules are enabled per data center)");
        } else if (!config.datacenter().matches(NAME)) {
            problems.add("datacenter (--datacenter): '" + config.datacenter() + "' is not a data center name (" + NAME
                    + ")");
        }
        if (!config.node().matches(NAME)) {
            problems.add("node (--node): '" + config.node() + "' is not a node name (" + NAME
                    + "): it is part of the key " + fleet.keys().nodes() + "DC/NODE");
        }
        for (var file : List.of(fleet.etcdCa(), fleet.etcdCert(), fleet.etcdKey(), fleet.etcdPasswordFile())) {
            if (file.isPresent() && !Files.isReadable(file.get())) {
                problems.add(file.get() + ": cannot be read (given as an etcd CA, certificate, key or password file)");
            }
        }
        EtcdSettings settings = null;
        if (fleet.etcdEndpoints().isPresent()) {
            try {
                settings = EtcdSettings.of(fleet.etcdEndpoints().get());
                if (fleet.etcdCa().isPresent()
                        || fleet.etcdCert().isPresent()
                        || fleet.etcdKey().isPresent()) {
                    settings = settings.withTls(
                            fleet.etcdCa().orElse(null),
                            fleet.etcdCert().orElse(null),
                            fleet.etcdKey().orElse(null));
                }
                Optional<String> password = fleet.etcdPassword();
                if (fleet.etcdPasswordFile().isPresent()
                        && Files.isReadable(fleet.etcdPasswordFile().get())) {
                    String text = Files.readString(fleet.etcdPasswordFile().get())
                            .lines()
                            .findFirst()
                            .orElse("");
                    password = Optional.of(text);
                }
                if (fleet.etcdUser().isPresent() || password.isPresent()) {
                    if (fleet.etcdUser().isEmpty() || password.isEmpty()) {
                        throw new IllegalArgumentException("a user (--etcd-user) needs a password (--etcd-password,"
                                + " fleet.etcd.password_file) and a password needs a user");
                    }
                    settings = settings.withUser(fleet.etcdUser().get(), password.get());
                }
            } catch (IllegalArgumentException | IOException e) {
                problems.add("fleet.etcd (--etcd…): " + e.getMessage());
            }
        }
        List<TrustedKey> trusted = new ArrayList<>();
        for (var file : fleet.trustedKeys()) {
            try {
                trusted.add(TrustedKey.read(file));
            } catch (KeyFileException e) {
                problems.add("fleet.trusted_keys (--trust-key): " + e.getMessage());
            }
        }
        Optional<ManifestVerifier> trust = Optional.empty();
        if (!trusted.isEmpty() && trusted.size() == fleet.trustedKeys().size()) {
            try {
                trust = Optional.of(ManifestVerifier.of(trusted));
            } catch (IllegalArgumentException e) {
                problems.add("fleet.trusted_keys (--trust-key): " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("edge", problems);
        }
        return new Checked(settings, trust);
    }

    /**
     * Starts the edge on an open data plane, which it then owns.
     *
     * @throws ConfigException for a configuration an edge cannot run with (nothing attached yet)
     * @throws UncheckedIOException when the sFlow sockets cannot be opened or the API address is taken
     */
    public static FleetEdge start(AgentConfig config, XdpDataPlane dataPlane) {
        return start(config, dataPlane, Clock.systemUTC());
    }

    public static FleetEdge start(AgentConfig config, XdpDataPlane dataPlane, Clock clock) {
        return start(config, dataPlane, ApiSecurity.open(config.api(), config.stateDir()), clock);
    }

    /** Starts an edge whose API's security was opened (and so checked) before the data plane was. */
    public static FleetEdge start(AgentConfig config, XdpDataPlane dataPlane, ApiSecurity security) {
        return start(config, dataPlane, security, Clock.systemUTC());
    }

    private static FleetEdge start(AgentConfig config, XdpDataPlane dataPlane, ApiSecurity security, Clock clock) {
        if (config.notifications().enabled()) {
            // In the fleet, the leading controller notifies, once for the whole fleet.
            LOG.log(Level.WARNING, "notifications: ignored on an edge of the fleet; configure them on the controllers");
        }
        FleetEdge edge = new FleetEdge(config, dataPlane, clock);
        try {
            edge.bringUp(checked(config), security);
        } catch (RuntimeException e) {
            edge.stopThreads();
            edge.closeOpened();
            throw e;
        }
        return edge;
    }

    private void bringUp(Checked checked, ApiSecurity security) {
        EtcdSettings settings = checked.etcd();
        // Everything that can fail on bad input first: nothing is attached until the follower restores.
        try {
            // Small batches, often: a controller fingerprints an attack from every edge's samples of
            // its first 100 ms (ControllerConfig.DEFAULT_DETECTOR), so each edge sends every 25 ms.
            exporter = SflowExporter.start(
                    SflowExporter.Config.of(fleet.collectors()).withFlushInterval(EXPORT_INTERVAL));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the sFlow sockets toward " + fleet.collectors() + ": " + e.getMessage(), e);
        }
        opened.add(exporter);
        try {
            client = EtcdClient.connect(settings);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("edge", List.of("fleet.etcd (--etcd…): " + e.getMessage()));
        }
        opened.add(client);
        RuleStore localStore = new RuleStore(config.stateDir());
        localStore.load(); // a bad state file is an error before anything is attached
        FleetKeys keys = fleet.keys();
        if (checked.trust().isPresent()) {
            LOG.log(
                    Level.INFO,
                    "applying only rule sets signed by a trusted key: "
                            + checked.trust().get().describe());
        } else {
            LOG.log(
                    Level.WARNING,
                    "no trusted signing keys (fleet.trusted_keys, --trust-key): this edge applies rule sets"
                            + " without checking who signed them, so whoever can write " + keys.ruleset()
                            + " in etcd chooses its"
                            + " program (docs/security.md, \"Signed rule sets\")");
        }
        follower = new RulesetFollower(
                dataPlane,
                config.datacenter(),
                client,
                new RulesetStore(client, keys),
                new LastGoodRuleset(config.stateDir()),
                checked.trust(),
                clock,
                new RulesetFollower.Listener() {
                    @Override
                    public void applied(RunningRuleset running, boolean swapped) {
                        if (edgeMetrics != null && swapped) {
                            edgeMetrics.applied();
                        }
                        // on the reporter's thread: a put to an unreachable etcd must not hold up the next swap
                        ScheduledExecutorService r = reporter;
                        if (r != null) {
                            try {
                                r.execute(FleetEdge.this::report);
                            } catch (RejectedExecutionException e) {
                                // closing
                            }
                        }
                    }

                    @Override
                    public void refused(Refusal reason, String message) {
                        // the registration says why the edge lags, at once: `levee fleet status` shows it and
                        // the leading controller notifies it
                        ScheduledExecutorService r = reporter;
                        if (r != null) {
                            try {
                                r.execute(FleetEdge.this::report);
                            } catch (RejectedExecutionException e) {
                                // closing
                            }
                        }
                    }
                });

        // Protection first: the last good set, the program left attached, or an empty set.
        restoredOnStart = follower.restore(config.sampling().initialRate());
        dataPlane.setSampleRate(config.sampling().initialRate());
        local = RuleBook.restore(
                localStore,
                new LocalRulesTarget(dataPlane),
                config.datacenter(),
                clock,
                config.restoredAutoRuleGrace());
        // An edge has no detector: its local rules are checked against the protected endpoints only.
        local.guard(config.ruleGuard(), () -> LegitimateTraffic.NONE);

        AttachedProgram attachment = dataPlane.attachment();
        SflowExporter.Source source = exporter.source(attachment.ifindex(), attachment.ifindex());
        InetAddress agent = exporter.agentAddresses().values().iterator().next();
        registration = new EdgeRegistration(
                client,
                keys.node(config.datacenter(), config.node()),
                config.node(),
                config.datacenter(),
                agent.getHostAddress(),
                attachment.iface(),
                new EdgeRegistration.Source() {
                    @Override
                    public RunningRuleset running() {
                        return follower.running();
                    }

                    @Override
                    public Counters totals() {
                        return dataPlane.totals();
                    }

                    @Override
                    public Optional<KeyId> signedBy() {
                        return follower.signedBy();
                    }

                    @Override
                    public Optional<RulesetFollower.Refused> standingRefusal() {
                        return follower.standingRefusal();
                    }
                },
                clock);
        opened.add(registration);
        registration.start(fleet.registrationTtl());

        metrics = new AgentMetrics(dataPlane, local, this::ruleLabels);
        export = new SampleExport(dataPlane, source, config.sampling(), config.sampleDatacenter(), config.node());
        edgeMetrics = new EdgeMetrics(metrics.registry(), new EdgeMetrics.Sources() {
            @Override
            public RunningRuleset running() {
                return follower.running();
            }

            @Override
            public WatchState watch() {
                return follower.watchState();
            }

            @Override
            public NodeRegistration.State registration() {
                return registration.state();
            }

            @Override
            public SflowExporter.Stats export() {
                return exporter.stats();
            }

            @Override
            public long samplesRead() {
                return export.samplesRead();
            }

            @Override
            public long lastGoodSaveFailures() {
                return follower.lastGoodSaveFailures();
            }

            @Override
            public Map<Refusal, Long> refusals() {
                return follower.refusals();
            }
        });
        try {
            api = new ApiServer(
                    local, dataPlane::counters, this::status, metrics, security, () -> Optional.of(fleetView()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.apiAddress() + ": " + e.getMessage(), e);
        }

        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("levee-edge-timer").daemon(true).factory());
        reporter = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("levee-edge-report").daemon(true).factory());
        follower.start();
        opened.add(follower);
        // A platform thread: it may block in epoll on the ring buffer.
        exportThread =
                Thread.ofPlatform().name("levee-sflow-samples").daemon(true).start(export);
        InterfaceCounters counters = new InterfaceCounters(
                attachment.iface(), attachment.netns().isEmpty() ? null : attachment.netns(), attachment.ifindex());
        timer.scheduleAtFixedRate(
                () -> sendCounters(counters, source), 0, fleet.counterInterval().toMillis(), TimeUnit.MILLISECONDS);
        reporter.scheduleWithFixedDelay(
                this::report,
                fleet.reportInterval().toMillis(),
                fleet.reportInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::expireLocalRules, 1, 1, TimeUnit.SECONDS);
        api.start();
        dataPlane.warmUp();
        LOG.log(
                Level.INFO,
                "edge " + config.node() + " of " + config.datacenter() + ": etcd " + settings.endpointList() + " under "
                        + keys.prefix() + ", sFlow to " + fleet.collectors() + " as agent " + agent.getHostAddress());
    }

    private void sendCounters(InterfaceCounters counters, SflowExporter.Source source) {
        try {
            source.counterSample(counters.read(dataPlane.totals()));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "interface counters for sFlow: " + e.getMessage());
        }
    }

    private void report() {
        try {
            registration.report();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "registration report: " + e.getMessage());
        }
    }

    private void expireLocalRules() {
        try {
            List<String> expired = local.expire();
            if (!expired.isEmpty()) {
                LOG.log(Level.INFO, "expired local rules " + String.join(", ", expired));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "expiring local rules failed, retrying in a second: " + e.getMessage());
        }
    }

    /** The local rules and the fleet's, as the per-rule metrics label them. */
    private List<AgentMetrics.RuleLabel> ruleLabels() {
        List<AgentMetrics.RuleLabel> labels = new ArrayList<>(AgentMetrics.labels(local));
        follower.rules()
                .forEach(r ->
                        labels.add(new AgentMetrics.RuleLabel(r.id(), r.origin().keyword())));
        return labels;
    }

    private NodeStatus status() {
        AttachedProgram a = dataPlane.attachment();
        RunningRuleset running = follower.running();
        AttachedProgram shown = new AttachedProgram(
                a.iface(), a.netns(), a.ifindex(), running.programId(), a.ruleSetVersion(), a.adopted());
        return new NodeStatus(
                shown,
                local.version(),
                config.datacenter(),
                config.node(),
                started,
                dataPlane.sampleRate(),
                config.sampling(),
                dataPlane.counters(),
                export.samplesRead(),
                local.list(),
                List.of());
    }

    /** What the API shows of the fleet now. */
    public FleetView fleetView() {
        RunningRuleset running = follower.running();
        List<FleetView.FleetRule> rules = follower.rules().stream()
                .map(r -> new FleetView.FleetRule(r, follower.enabledHere(r)))
                .toList();
        WatchState w = follower.watchState();
        NodeRegistration.State r = registration.state();
        SflowExporter.Stats s = exporter.stats();
        List<String> collectors =
                fleet.collectors().stream().map(InetSocketAddress::toString).toList();
        return new FleetView(
                running.version(),
                running.origin().label(),
                running.sha256(),
                running.programId(),
                running.applied(),
                rules,
                dataPlane.localProgramId(),
                new FleetView.Watch(w.connected(), w.revision(), w.reconnects(), w.lastError()),
                new FleetView.Registration(registration.key(), r.registered(), r.lastError()),
                new FleetView.Export(
                        collectors,
                        exporter.agentAddresses().values().iterator().next().getHostAddress(),
                        s.datagramsSent(),
                        s.samplesSent(),
                        s.bytesSent(),
                        s.sendErrors(),
                        s.samplesDropped()),
                new FleetView.Signing(
                        follower.trustedKeys().stream()
                                .map(k -> new FleetView.TrustedKey(k.id().hex(), k.source()))
                                .toList(),
                        follower.signedBy().map(KeyId::hex)),
                follower.lastRefused()
                        .map(x -> new FleetView.Refused(
                                x.reason().label(), x.message(), x.version(), x.revision(), x.at())));
    }

    public XdpDataPlane dataPlane() {
        return dataPlane;
    }

    /** The edge's local rules. */
    public RuleBook localRules() {
        return local;
    }

    /** The fleet's rule set running now. */
    public RunningRuleset running() {
        return follower.running();
    }

    /**
     * The rule set the edge attached on start, before following etcd: the last good file, the program a
     * previous run left attached, or an empty set. Unlike {@link #running()} it does not change once etcd
     * answers.
     */
    public RunningRuleset restoredOnStart() {
        return restoredOnStart;
    }

    /** The last refused rule set, if any. */
    public Optional<RulesetFollower.Refused> lastRefused() {
        return follower.lastRefused();
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

    /** The sFlow agent address the controllers see. */
    public InetAddress sflowAgent() {
        return exporter.agentAddresses().values().iterator().next();
    }

    /** The registration's key. */
    public String registrationKey() {
        return registration.key();
    }

    /**
     * Stops the API, the timers, the watch and the sampler thread, revokes the registration, sends
     * what the exporter holds, then releases the data plane: the program stays attached (dropping
     * what its rules drop) unless the configuration says to detach on exit.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (api != null) {
            api.stop();
        }
        stopThreads();
        closeOpened();
        dataPlane.close(config.detachOnExit());
    }

    /** Stops the timers and the sampler thread. */
    private void stopThreads() {
        if (reporter != null) {
            reporter.shutdownNow();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (exportThread != null) {
            export.stop();
            try {
                exportThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes what was opened, newest first. */
    private void closeOpened() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing " + opened.get(i) + ": " + e);
            }
        }
        opened.clear();
    }

    /** The local rules take effect in the second rules stage of the data plane. */
    private static final class LocalRulesTarget implements RuleTarget {
        private final XdpDataPlane dataPlane;

        LocalRulesTarget(XdpDataPlane dataPlane) {
            this.dataPlane = dataPlane;
        }

        @Override
        public RuleFilters filters() {
            return dataPlane.filters();
        }

        @Override
        public void apply(RuleSet rules, String datacenter) {
            dataPlane.installLocal(rules, datacenter);
        }
    }
}

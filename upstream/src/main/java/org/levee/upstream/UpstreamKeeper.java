package org.levee.upstream;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.levee.rules.Durations;
import org.levee.rules.StoredRule;

/**
 * Keeps a speaker's routes equal to what the live rules ask for, for as long as it runs: the
 * owner (the agent, or the leading controller) says when the rules changed ({@link #rulesChanged}),
 * and the keeper synchronises at once on a thread of its own, and again every
 * {@code upstream.sync_interval}, so a speaker that restarted empty gets everything back and a
 * route someone withdrew by hand comes back. Each synchronisation reads the rules now (expired
 * ones left out), decides with the {@link Upstream} policy, and lets the {@link UpstreamAnnouncer}
 * compare with what the speaker really announces: a process that starts after a restart withdraws
 * the routes of rules removed meanwhile and keeps the others as they are (no flap, no duplicate).
 *
 * <p>A keeper that is not active (a controller that does not lead) keeps its speaker free of
 * Levee's routes: it withdraws what the speaker still announces (after this controller led, or
 * after it crashed while leading and came back as a follower), so the routes the fleet announces
 * come from the leader's speaker alone. Each controller therefore drives a speaker of its own.
 * Becoming active synchronises at once; standing by withdraws at once (a keeper that starts
 * standing by waits one interval first). {@link #close} leaves the routes announced, as the data
 * plane keeps dropping when the agent stops; {@link #closeWithdrawing} is for a controller that
 * resigns.
 *
 * <p>What it says: each route announced or withdrawn and each refusal (once per rule and reason)
 * go to {@link System.Logger} at INFO and WARNING; a speaker that cannot be reached is logged once
 * per distinct error, and again when it answers. {@link #state} and {@link #status} are for the
 * API and the metrics.
 */
public final class UpstreamKeeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UpstreamKeeper.class.getName());

    /** What the last synchronisation attempt found. */
    private record Outcome(
            Instant at,
            Optional<String> error,
            Set<String> announced,
            Map<String, Integer> byFamily,
            Map<String, String> sessions) {}

    private final UpstreamConfig config;
    private final Upstream policy;
    private final BgpSpeaker speaker;
    private final UpstreamAnnouncer announcer;
    private final Supplier<List<StoredRule>> live;
    private final Clock clock;
    private final long intervalNanos;

    private final Object lock = new Object();
    private boolean active; // guarded by lock
    private String standbyReason = ""; // guarded by lock
    private boolean changed; // guarded by lock
    private boolean closed; // guarded by lock
    private Thread loop;

    /** Decisions of the last synchronisation, by request (a rule that did not change is not translated again). */
    private volatile Map<UpstreamRequest, Optional<UpstreamDecision>> decisions = Map.of();

    private volatile Outcome last;
    private volatile Outcome lastSuccess;
    private final Map<String, String> refusalsSeen = new ConcurrentHashMap<>();
    private String errorLogged; // the loop thread's
    private final AtomicLong synchronisations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong announcements = new AtomicLong();
    private final AtomicLong withdrawals = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    /**
     * @param config  the {@code upstream:} section
     * @param speaker the speaker to keep in step
     * @param live    the live rules now (read at every synchronisation; expired ones are left out)
     * @param clock   for expiry and the times shown
     */
    public UpstreamKeeper(UpstreamConfig config, BgpSpeaker speaker, Supplier<List<StoredRule>> live, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = new Upstream(config);
        this.speaker = Objects.requireNonNull(speaker, "speaker");
        this.announcer = new UpstreamAnnouncer(speaker);
        this.live = Objects.requireNonNull(live, "live");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.intervalNanos = config.syncInterval().toNanos();
    }

    /**
     * Starts the keeper's thread: active (synchronising at once), or standing by for
     * {@code standbyReason} until {@link #activate} (withdrawing the speaker's routes after one
     * {@code sync_interval} if it is not activated by then).
     */
    public void start(boolean activeNow, String standbyReasonNow) {
        synchronized (lock) {
            if (loop != null) {
                throw new IllegalStateException("the upstream keeper is already running");
            }
            active = activeNow;
            standbyReason = activeNow ? "" : standbyReasonNow;
            // Standing by, the first synchronisation waits one interval: a controller that
            // restarted alone is elected before, and keeps its speaker's routes without a flap.
            changed = activeNow;
            loop = Thread.ofPlatform().name("levee-upstream").daemon().start(this::run);
        }
    }

    /** Announce from now on: synchronise at once (a new leader reconciles what it inherits). */
    public void activate() {
        synchronized (lock) {
            active = true;
            standbyReason = "";
            changed = true;
            lock.notifyAll();
        }
    }

    /**
     * Stop announcing because {@code reason} (another process announces now): the speaker's
     * Levee routes are withdrawn at once.
     */
    public void standBy(String reason) {
        synchronized (lock) {
            active = false;
            standbyReason = reason;
            changed = true;
            lock.notifyAll();
        }
    }

    /** The rules changed: synchronise as soon as possible (changes in a burst are synchronised together). */
    public void rulesChanged() {
        synchronized (lock) {
            changed = true;
            lock.notifyAll();
        }
    }

    private void run() {
        long next;
        synchronized (lock) {
            next = System.nanoTime() + (active ? 0 : intervalNanos);
        }
        while (true) {
            synchronized (lock) {
                while (!closed && !changed && System.nanoTime() - next < 0) {
                    try {
                        long wait = Math.max(1, (next - System.nanoTime()) / 1_000_000);
                        lock.wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                changed = false;
            }
            synchronizeOnce();
            next = System.nanoTime() + intervalNanos;
        }
    }

    /** One synchronisation; never throws (the next one starts over). */
    private void synchronizeOnce() {
        Instant at = clock.instant();
        synchronisations.incrementAndGet();
        DesiredRoutes desired;
        try {
            desired = desired(at);
        } catch (RuntimeException e) {
            failed(at, "cannot compute the routes: " + e.getMessage());
            return;
        }
        noteRefusals(desired);
        boolean activeNow;
        String standby;
        synchronized (lock) {
            activeNow = active;
            standby = standbyReason;
        }
        Set<Route> wanted = activeNow ? desired.routes() : Set.of();
        SyncReport report;
        try {
            report = announcer.synchronize(wanted);
        } catch (RuntimeException e) {
            failed(at, e.getMessage());
            return;
        }
        Map<String, List<String>> rulesOf = rulesByRoute(desired);
        for (Route r : report.announced()) {
            LOG.log(
                    Level.INFO,
                    "upstream: announced " + r + " for rule "
                            + String.join(", ", rulesOf.getOrDefault(key(r), List.of())));
        }
        for (Route r : report.withdrawn()) {
            LOG.log(
                    Level.INFO,
                    "upstream: withdrew " + r
                            + (!activeNow
                                    ? " (" + standby + ")"
                                    : rulesOf.containsKey(key(r)) ? "" : " (no live rule asks for it)"));
        }
        announcements.addAndGet(report.announced().size());
        withdrawals.addAndGet(report.withdrawn().size());
        Set<String> announced = new HashSet<>();
        Map<String, Integer> byFamily = new TreeMap<>();
        for (Route r : wanted) {
            announced.add(key(r));
            byFamily.merge(r.family(), 1, Integer::sum);
        }
        Map<String, String> sessions;
        try {
            sessions = speaker.sessions();
        } catch (RuntimeException e) {
            sessions = Map.of();
        }
        if (errorLogged != null) {
            LOG.log(Level.INFO, "upstream: the speaker at " + config.speaker().api() + " answers again");
            errorLogged = null;
        }
        Outcome outcome = new Outcome(at, Optional.empty(), Set.copyOf(announced), byFamily, sessions);
        lastSuccess = outcome;
        last = outcome;
    }

    private void failed(Instant at, String error) {
        failures.incrementAndGet();
        if (!error.equals(errorLogged)) {
            LOG.log(
                    Level.WARNING,
                    "upstream: cannot synchronise the speaker at "
                            + config.speaker().api() + ", trying again every " + Durations.format(config.syncInterval())
                            + ": " + error);
            errorLogged = error;
        }
        Outcome previous = last;
        last = new Outcome(
                at,
                Optional.of(error),
                previous == null ? Set.of() : previous.announced(),
                previous == null ? Map.of() : previous.byFamily(),
                previous == null ? Map.of() : previous.sessions());
    }

    /** The routes the live rules ask for at {@code now}; remembers the decisions for {@link #state}. */
    private DesiredRoutes desired(Instant now) {
        List<UpstreamRequest> requests = new ArrayList<>();
        for (StoredRule r : live.get()) {
            if (!r.expiredAt(now)) {
                requests.add(UpstreamRequest.of(r));
            }
        }
        Map<UpstreamRequest, Optional<UpstreamDecision>> previous = decisions;
        Map<UpstreamRequest, Optional<UpstreamDecision>> next = new HashMap<>();
        List<UpstreamRequest> going = new ArrayList<>();
        for (UpstreamRequest request : requests) {
            Optional<UpstreamDecision> d =
                    previous.containsKey(request) ? previous.get(request) : policy.decide(request);
            next.put(request, d);
            if (d.isPresent()) {
                going.add(request);
            }
        }
        decisions = Map.copyOf(next);
        return policy.desired(going);
    }

    private void noteRefusals(DesiredRoutes desired) {
        Set<String> liveIds = new HashSet<>();
        for (UpstreamDecision d : desired.decisions()) {
            liveIds.add(d.ruleId());
            if (d.translation() instanceof Translation.Refused refused) {
                String before = refusalsSeen.put(d.ruleId(), refused.reason());
                if (!refused.reason().equals(before)) {
                    refusals.incrementAndGet();
                    LOG.log(
                            Level.WARNING,
                            "upstream: rule " + d.ruleId() + " is not announced ("
                                    + d.mode().keyword() + ", " + d.basis().keyword() + "): " + refused.reason());
                }
            } else {
                refusalsSeen.remove(d.ruleId());
            }
        }
        refusalsSeen.keySet().retainAll(liveIds);
    }

    private static Map<String, List<String>> rulesByRoute(DesiredRoutes desired) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (UpstreamDecision d : desired.decisions()) {
            if (d.translation() instanceof Translation.Translated ok) {
                for (Route r : ok.routes()) {
                    out.computeIfAbsent(key(r), k -> new ArrayList<>()).add(d.ruleId());
                }
            }
        }
        return out;
    }

    private static String key(Route r) {
        return r.family() + " " + r.key();
    }

    /**
     * Where {@code rule}'s upstream request stands now; empty when the rule does not go upstream.
     * A rule added since the last synchronisation is decided now (pending, or refused).
     */
    public Optional<AnnouncementState> state(StoredRule rule) {
        UpstreamRequest request = UpstreamRequest.of(rule);
        Optional<UpstreamDecision> decided = decisions.get(request);
        Optional<UpstreamDecision> decision = decided != null ? decided : policy.decide(request);
        if (decision.isEmpty()) {
            return Optional.empty();
        }
        UpstreamDecision d = decision.get();
        if (d.translation() instanceof Translation.Refused refused) {
            return Optional.of(new AnnouncementState(d, AnnouncementState.Phase.REFUSED, refused.reason()));
        }
        boolean activeNow;
        String standby;
        synchronized (lock) {
            activeNow = active;
            standby = standbyReason;
        }
        if (!activeNow) {
            return Optional.of(new AnnouncementState(d, AnnouncementState.Phase.STANDBY, standby));
        }
        Outcome o = last;
        if (o != null && o.error().isPresent()) {
            return Optional.of(new AnnouncementState(
                    d,
                    AnnouncementState.Phase.FAILED,
                    "the speaker could not be synchronised at " + o.at() + ": "
                            + o.error().get()));
        }
        Translation.Translated ok = (Translation.Translated) d.translation();
        if (o != null
                && decided != null
                && ok.routes().stream().allMatch(r -> o.announced().contains(key(r)))) {
            return Optional.of(new AnnouncementState(d, AnnouncementState.Phase.ANNOUNCED, ""));
        }
        return Optional.of(
                new AnnouncementState(d, AnnouncementState.Phase.PENDING, "announced at the next synchronisation"));
    }

    /** The keeper's status now. */
    public UpstreamStatus status() {
        boolean activeNow;
        String standby;
        synchronized (lock) {
            activeNow = active;
            standby = standbyReason;
        }
        Outcome o = last;
        Outcome ok = lastSuccess;
        List<Translation.Refused> refused = new ArrayList<>();
        refusalsSeen.forEach((id, reason) -> refused.add(new Translation.Refused(id, reason)));
        refused.sort(Comparator.comparing(Translation.Refused::ruleId));
        return new UpstreamStatus(
                config.speaker().api(),
                activeNow,
                standby,
                o == null ? Optional.empty() : Optional.of(o.at()),
                ok == null ? Optional.empty() : Optional.of(ok.at()),
                o == null ? Optional.empty() : o.error(),
                ok == null ? Map.of() : ok.sessions(),
                ok == null ? Map.of() : ok.byFamily(),
                refused,
                synchronisations.get(),
                failures.get(),
                announcements.get(),
                withdrawals.get(),
                refusals.get());
    }

    /** The configuration it keeps to. */
    public UpstreamConfig config() {
        return config;
    }

    /** Stops the thread after its current synchronisation; the announced routes stay. */
    @Override
    public void close() {
        stopLoop();
    }

    /**
     * Stops the thread, then withdraws every route of Levee's from the speaker: for a process that
     * hands the announcing over (a controller resigning its leadership), so that the routes come
     * from the new leader's speaker alone. A speaker that cannot be reached keeps its routes; this
     * process withdraws them when it comes back, as a follower or a leader.
     */
    public void closeWithdrawing() {
        stopLoop();
        try {
            SyncReport report = announcer.synchronize(Set.of());
            withdrawals.addAndGet(report.withdrawn().size());
            for (Route r : report.withdrawn()) {
                LOG.log(Level.INFO, "upstream: withdrew " + r + " (stopping: another process announces)");
            }
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "upstream: stopping, cannot withdraw the routes from the speaker at "
                            + config.speaker().api() + " (withdrawn when this process runs again): " + e.getMessage());
        }
    }

    private void stopLoop() {
        Thread t;
        synchronized (lock) {
            closed = true;
            active = false;
            lock.notifyAll();
            t = loop;
        }
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

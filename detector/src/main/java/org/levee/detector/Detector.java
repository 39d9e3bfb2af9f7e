package org.levee.detector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.levee.detector.fingerprint.AttackSamples;
import org.levee.detector.fingerprint.Fingerprint;
import org.levee.detector.fingerprint.FingerprintSelector;
import org.levee.detector.fingerprint.Selection;
import org.levee.detector.rate.Baseline;
import org.levee.detector.rate.BaselinePrior;
import org.levee.detector.rate.RateWindow;
import org.levee.detector.rule.FilterCompiler;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.SampleDecoder;
import org.levee.detector.sample.TrafficClass;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.IpAddress;
import org.levee.rules.LegitimateTraffic;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleGuard;
import org.levee.rules.Sample;

/**
 * Gatebot: from samples to attacks to rules, and back. Feed it samples in time order with
 * {@link #accept} and let time pass with {@link #advanceTo} (an attack that stops sends no more
 * samples, so only the clock can end it); collect what it decided with {@link #drainDecisions}
 * and the rules in force with {@link #rules}. Not thread-safe: one thread drives it. Pure
 * computation; the same samples and calls give the same decisions.
 *
 * <p>Per sample: decode; add to the rates of its destination host and of the host's /24 (/64)
 * aggregate; feed any attack under way on them; re-match the destination's auto rules; check
 * the class's rate against the threshold and the baseline level. See docs/detection.md.
 */
public final class Detector {
    /** Quiet seconds a baseline needs before its normal traffic is discounted from an attack's samples. */
    static final int DISCOUNT_LEARNED_SECONDS = 1;

    private static final long SECOND = 1_000_000_000L;
    /** Legitimate samples kept per second for the rule guard (60 s of them at most: a few MB). */
    static final int LEGITIMATE_SAMPLES_PER_SECOND = 50;

    private static final int CLASSES = TrafficClass.count();
    /** Seconds rolled one by one when a destination was silent; longer gaps jump. */
    private static final int MAX_ROLLED_SECONDS = 600;
    /**
     * Matched samples a rule's data centers are judged on before it widens ({@link #widen}): a
     * data center's share of fewer is noise.
     */
    static final int WIDEN_MIN_SAMPLES = 20;
    /**
     * A tracked destination with a sample in the current or the previous second is busy: no new
     * destination takes its place, however many samples the new one has.
     */
    static final int BUSY_SECONDS = 2;
    /**
     * Samples in the current second that make an untracked destination busy enough to take the
     * place of a tracked one that is not busy (when the table is full and nothing is idle).
     */
    static final int BUSY_SAMPLES = 4;
    /**
     * Bytes of a sample's packet the detector looks at and keeps, at most (longer ones are cut):
     * as many as the data plane and the sFlow ingest take. The histories' share of the memory
     * bound (docs/security.md, "Bounded memory") counts on it.
     */
    public static final int MAX_SAMPLE_BYTES = 256;
    /** Idle destinations forgotten at most per sweep (one per new second, one per advanceTo). */
    static final int SWEEP_LIMIT = 1024;

    /**
     * Attacks whose samples are collected at once, at most: each holds a summary of hundreds of
     * kilobytes for up to {@code maxFingerprintDelay}. More attacks at once wait for their turn
     * (detected, never forgotten, their samples not yet collected): every attack is fingerprinted
     * within a few delays, and the detector's heap does not grow with the number of attacks.
     */
    public static final int MAX_FINGERPRINTING_ATTACKS = 64;

    /** WAITING: detected, its samples to be collected once fewer attacks are. */
    private enum State {
        WAITING,
        COLLECTING,
        MITIGATED,
        UNMITIGATED
    }

    /** An attack waiting for its turn to be fingerprinted, with its destination. */
    private record Waiting(Tracked destination, Attack attack) {}

    /** A host or aggregate destination and everything known about it. */
    private final class Tracked extends Recency.Entry<Tracked> {
        final Prefix prefix;
        final boolean aggregate;
        // What every sample touches comes first: initialisers run in this order, so these
        // objects are allocated, and usually stay, next to each other in memory.
        final RateWindow window = new RateWindow(config.windowSeconds());
        /**
         * Per class, packets then bits per second below which a sample can neither start an
         * attack nor make its second anomalous: the fast path of {@link #check}.
         */
        final double[] watch = new double[CLASSES * 2];

        final RecentSamples history = new RecentSamples(config.historySamples(), config.historySamplesPerSecond());
        final Threshold[] thresholds = new Threshold[CLASSES];
        final Baseline baseline = new Baseline(config.baselineHalfLifeSeconds());
        final Attack[] attacks = new Attack[CLASSES];
        final long[] previousCounts = new long[CLASSES];
        /** For hosts, their /24 or /64 aggregate (tracked as long as one of its hosts is). */
        Tracked aggregateAbove;
        /** For aggregates, how many of their hosts are tracked: while any is, the aggregate stays. */
        int trackedHosts;
        /** For aggregates, what is left of their forgotten hosts' baselines (made at the first). */
        BaselinePrior forgottenHosts;

        boolean previousQuiet;
        boolean anomalous;
        int activeAttacks;
        int samplingRate = 1;

        Tracked(Prefix prefix, boolean aggregate, Tracked aggregateAbove) {
            this.prefix = prefix;
            this.aggregate = aggregate;
            this.aggregateAbove = aggregateAbove;
            for (TrafficClass c : TrafficClass.values()) {
                thresholds[c.ordinal()] = config.thresholdFor(prefix, aggregate, c);
            }
            if (aggregateAbove != null && aggregateAbove.forgottenHosts != null) {
                aggregateAbove.forgottenHosts.seed(baseline, RateWindow.bucketOf(nowNanos));
            }
            updateWatch(this);
        }

        /** Whether it may be forgotten now: no attack, and for an aggregate no tracked host. */
        boolean forgettable() {
            return activeAttacks == 0 && trackedHosts == 0;
        }
    }

    private static final class Attack {
        final TrafficClass trafficClass;
        final long detectedNanos;
        final TreeMap<String, Long> datacenters = new TreeMap<>();
        /**
         * The summary fingerprints are chosen from, while the attack is collected (hundreds of
         * kilobytes); released when it is decided, with or without a rule.
         */
        AttackSamples samples;
        /**
         * A uniform sample of the attack's samples with their data centers, to tell where the
         * fingerprint is seen. Not the first ones: samples from a fleet arrive in batches (an sFlow
         * exporter sends a datagram of several at a time), so the first ones would all come from
         * whichever edge sent first, and a data center that sees the attack could be left out.
         */
        List<Sample> located;

        long offered;
        /** When the samples began to be collected: at detection, or when an anomaly grew past the threshold. */
        long collectingSinceNanos;
        /** The start of the time the collected samples cover (the window before detection included). */
        long coverStartNanos;

        Evidence evidence;
        /** Until it collects ({@link #startCollecting}) or is adopted under a rule. */
        State state = State.WAITING;

        ActiveRule rule;
        long belowSinceNanos = -1;
        int samplingRate = 1;

        void offer(Sample sample, DecodedPacket p, int keep, SplittableRandom random) {
            samples.offer(p);
            datacenters.merge(sample.datacenter(), 1L, Long::sum);
            offered++;
            if (located.size() < keep) {
                located.add(sample);
            } else {
                long slot =
                        random.nextLong(offered); // reservoir sampling: each sample kept with probability keep/offered
                if (slot < keep) {
                    located.set((int) slot, sample);
                }
            }
        }

        Attack(TrafficClass trafficClass, long detectedNanos) {
            this.trafficClass = trafficClass;
            this.detectedNanos = detectedNanos;
            this.collectingSinceNanos = detectedNanos;
        }

        /** Collects its samples from now on, into {@code samples}, covering the time from {@code coverStart}. */
        void collect(long now, long coverStart, AttackSamples samples) {
            this.state = State.COLLECTING;
            this.collectingSinceNanos = now;
            this.coverStartNanos = coverStart;
            this.samples = samples;
            this.located = new ArrayList<>();
            this.offered = 0;
        }

        /**
         * A rule mitigates it from now on: the samples it was fingerprinted from are no longer
         * needed (only the rule's matched rate is), so an attack under a rule holds a few
         * kilobytes, not the hundreds of its reservoirs.
         */
        void mitigated(ActiveRule rule) {
            this.state = State.MITIGATED;
            this.rule = rule;
            this.belowSinceNanos = -1;
            release();
        }

        /**
         * Decided without a rule (an anomaly nothing separates from normal traffic): its samples
         * go too. Should it grow past the threshold, it is collected afresh.
         */
        void unmitigated() {
            this.state = State.UNMITIGATED;
            release();
        }

        private void release() {
            this.samples = null;
            this.located = null;
        }
    }

    /** A rule the detector made, with what it keeps about it: its filter and the rate it matches. */
    private static final class ActiveRule {
        final Rule rule;
        final Match.Cbpf filter;
        final RateWindow matched;
        /** Matched samples by data center since the scope was last checked ({@link #widen}). */
        final TreeMap<String, Long> matchedIn = new TreeMap<>();

        long matchedSamples;

        ActiveRule(Rule rule, Match.Cbpf filter, int windowSeconds) {
            this(rule, filter, new RateWindow(windowSeconds));
        }

        ActiveRule(Rule rule, Match.Cbpf filter, RateWindow matched) {
            this.rule = rule;
            this.filter = filter;
            this.matched = matched;
        }
    }

    /**
     * An attack under way, as {@link #attacks()} shows it.
     *
     * @param destination the host or aggregate attacked
     * @param trafficClass its class
     * @param detectedNanos when it was detected (or adopted), on the samples' clock
     * @param rule the rule mitigating it, if any yet
     * @param evidence the latest evidence
     */
    public record AttackState(
            Prefix destination,
            TrafficClass trafficClass,
            long detectedNanos,
            Optional<Rule> rule,
            Evidence evidence) {}

    /**
     * What {@link #adopt} did with a rule.
     *
     * @param outcome what happened
     * @param replaced for {@link Outcome#MERGED}: the id of the detector's own rule that the adopted one replaced
     * @param reason for {@link Outcome#REFUSED}: why, naming the field
     */
    public record Adoption(Outcome outcome, Optional<String> replaced, String reason) {
        /** What happened to an adopted rule. */
        public enum Outcome {
            /** The rule now mitigates an attack of the detector, new or already being collected. */
            ADOPTED,
            /** The detector had its own rule for the attack; the adopted one took its place. */
            MERGED,
            /** The detector has this rule already. */
            KNOWN,
            /** The rule cannot be adopted (not automatic, not classic BPF, evidence without a destination). */
            REFUSED
        }

        static Adoption of(Outcome outcome) {
            return new Adoption(outcome, Optional.empty(), "");
        }

        static Adoption refused(String reason) {
            return new Adoption(Outcome.REFUSED, Optional.empty(), reason);
        }
    }

    private final DetectorConfig config;
    private final FilterCompiler filters;
    private final FingerprintSelector selector;
    private final SplittableRandom random;
    private final DestinationTable<Tracked> hosts;
    private final DestinationTable<Tracked> aggregates;
    /** Hosts that may be forgotten, least recently seen first. */
    private final Recency<Tracked> forgettableHosts = new Recency<>();
    /** Aggregates that may be forgotten (no attack, no tracked host), least recently seen first. */
    private final Recency<Tracked> forgettableAggregates = new Recency<>();
    /** Samples per untracked destination in the current second, while the table is full. */
    private final NewcomerCounts newcomers;

    private final long idleSeconds;
    private long sweptSecond = Long.MIN_VALUE;
    private long samplesInAggregateOnly;
    private long samplesUncounted;
    private long destinationsForgotten;
    /** Destinations with an attack under way, in the order attacks began (for determinism). */
    private final Set<Tracked> underAttack = new LinkedHashSet<>();

    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final Set<String> datacenters = new TreeSet<>();
    private String lastDatacenter;
    private final List<Decision> decisions = new ArrayList<>();
    private final String ruleIdPrefix;
    private long nextRuleId = 1;
    private long nowNanos;
    private final RuleGuard guard;
    private final LegitimateHistory legitimate;
    private long samples;
    private long undecodable;
    /** Attacks collecting samples now: at most {@link #MAX_FINGERPRINTING_ATTACKS}. */
    private int fingerprinting;
    /** Attacks waiting for their turn to collect, oldest first (entries of attacks since decided or ended are skipped). */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Scratch for {@link #roll}: a second's packet counts per class. */
    private final long[] counts = new long[CLASSES];

    /** A detector whose rules are {@code auto-1}, {@code auto-2}, … */
    public Detector(DetectorConfig config, FilterCompiler filters) {
        this(config, filters, "auto-");
    }

    /**
     * A detector whose rules are named {@code ruleIdPrefix} and a number from 1: a controller
     * puts its run in the prefix ({@code auto-t5k2x1-3fa2-}) so that its rule ids are unique in
     * the fleet's store as they are made. Its hash keys come from the JDK's default seed
     * generator (the clock, no I/O); a detector facing the network takes them from a
     * {@code SecureRandom}: {@link #Detector(DetectorConfig, FilterCompiler, String, RandomGenerator)}.
     *
     * @throws IllegalArgumentException when {@code ruleIdPrefix} followed by a number is not a valid rule id
     */
    public Detector(DetectorConfig config, FilterCompiler filters, String ruleIdPrefix) {
        this(config, filters, ruleIdPrefix, RuleGuard.allowAll(), new SplittableRandom());
    }

    /**
     * A detector whose rules must pass {@code guard}: a rule the guard refuses is not made; a
     * {@link Decision.Kind#RULE_REFUSED} decision says why, and the attack stays unmitigated.
     * Automatic rules are never forced.
     */
    public Detector(DetectorConfig config, FilterCompiler filters, String ruleIdPrefix, RuleGuard guard) {
        this(config, filters, ruleIdPrefix, guard, new SplittableRandom());
    }

    /**
     * As {@link #Detector(DetectorConfig, FilterCompiler, String)}, with the secret keys of its
     * destination tables and newcomer counts drawn from {@code hashKeys} (give it a
     * {@code SecureRandom}): spoofed destinations chosen to collide must not be able to make
     * lookups slow, so the keys must be unpredictable. They only place entries in the tables,
     * which nothing iterates, so decisions do not depend on them. The detector itself does no
     * I/O: whatever the generator reads happens here, once.
     */
    public Detector(DetectorConfig config, FilterCompiler filters, String ruleIdPrefix, RandomGenerator hashKeys) {
        this(config, filters, ruleIdPrefix, RuleGuard.allowAll(), hashKeys);
    }

    /**
     * A detector facing the network: its rules must pass {@code guard} (see {@link
     * #Detector(DetectorConfig, FilterCompiler, String, RuleGuard)}) and its tables' keys come
     * from {@code hashKeys} (see {@link #Detector(DetectorConfig, FilterCompiler, String,
     * RandomGenerator)}).
     */
    public Detector(
            DetectorConfig config,
            FilterCompiler filters,
            String ruleIdPrefix,
            RuleGuard guard,
            RandomGenerator hashKeys) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.legitimate = new LegitimateHistory(LEGITIMATE_SAMPLES_PER_SECOND, config.seed() ^ 0x5eed_1e61L);
        this.config = Objects.requireNonNull(config, "config");
        this.filters = Objects.requireNonNull(filters, "filters");
        Rule.requireValidId(ruleIdPrefix + Long.MAX_VALUE);
        this.ruleIdPrefix = ruleIdPrefix;
        this.selector = new FingerprintSelector(config.coverageTarget(), config.maxBaselineMatch());
        this.random = new SplittableRandom(config.seed());
        this.hosts = new DestinationTable<>(hashKeys.nextLong());
        this.aggregates = new DestinationTable<>(hashKeys.nextLong());
        this.newcomers = new NewcomerCounts(hashKeys.nextLong());
        this.idleSeconds = Math.max(BUSY_SECONDS + 1, config.idleForgetAfter().toSeconds());
    }

    /** Processes one sample. Samples must come in non-decreasing time order. */
    public void accept(Sample sample) {
        samples++;
        if (sample.timestampNanos() < nowNanos) {
            throw new IllegalArgumentException("sample " + samples + " at " + sample.timestampNanos()
                    + " ns is older than the detector's clock (" + nowNanos + " ns)");
        }
        nowNanos = sample.timestampNanos();
        if (sample.packet().length > MAX_SAMPLE_BYTES) {
            // The histories keep samples: their size is part of the memory bound.
            sample = new Sample(
                    Arrays.copyOf(sample.packet(), MAX_SAMPLE_BYTES),
                    sample.wireLength(),
                    sample.samplingRate(),
                    sample.timestampNanos(),
                    sample.datacenter(),
                    sample.node());
        }
        if (!sample.datacenter().equals(lastDatacenter)) { // samples come in runs from one place
            datacenters.add(sample.datacenter());
            lastDatacenter = sample.datacenter();
        }
        DecodedPacket p = SampleDecoder.decode(sample);
        if (p == null) {
            undecodable++;
            return;
        }
        IpAddress destination = p.destination();
        long bucket = RateWindow.bucketOf(nowNanos);
        if (bucket != sweptSecond) {
            sweptSecond = bucket;
            forgetIdle(bucket);
        }
        Tracked host = hosts.get(destination);
        if (host == null) {
            Tracked aggregate = trackedAggregate(destination, bucket, false);
            if (aggregate == null) {
                samplesUncounted++;
                return;
            }
            host = admitHost(destination, aggregate, bucket, false);
            if (host == null) {
                // No room for the host: its aggregate counts it (carpet bombing is seen there).
                samplesInAggregateOnly++;
                account(aggregate, p, sample, bucket);
                return;
            }
        }
        boolean claimed = account(host, p, sample, bucket);
        if (!claimed) {
            claimed = account(host.aggregateAbove, p, sample, bucket);
        }
        if (!claimed) {
            legitimate.add(sample); // no attack on its host or aggregate claims it: what rules must spare
        }
    }

    /**
     * The legitimate traffic of the last minute: a bounded, uniform subset of each second's
     * samples that no attack on their destination host or its aggregate claimed (samples that
     * could not be decoded are left out), each weighted by the packets it stands for. Samples
     * of an attack's first moments, before it was detected, are among them. A copy, safe to hand
     * to other threads.
     */
    public LegitimateTraffic legitimateTraffic() {
        return legitimate.snapshot(nowNanos);
    }

    /** The tracked aggregate above {@code address}, admitted when new (null: no room for it). */
    private Tracked trackedAggregate(IpAddress address, long second, boolean force) {
        IpAddress network = address.mask(aggregateLength(address.version()));
        Tracked aggregate = aggregates.get(network);
        return aggregate != null ? aggregate : admitAggregate(network, second, force);
    }

    /**
     * Tracks host {@code destination} (and its aggregate) from now on, or returns null when there
     * is no room for it: see {@link #makeRoom}. With {@code force} (a rule adopted for it) it
     * takes the place of the least recently seen destination that is not under attack, busy or
     * not, and exceeds the limit when every destination is under attack.
     */
    private Tracked admitHost(IpAddress destination, Tracked aggregate, long second, boolean force) {
        // The host's aggregate must not be the one that makes room for it: it counts as holding
        // the host already, and gives it back when there is no room.
        if (aggregate.trackedHosts++ == 0) {
            forgettableAggregates.remove(aggregate);
        }
        if (!makeRoom(destination, false, second, force)) {
            if (--aggregate.trackedHosts == 0 && aggregate.activeAttacks == 0) {
                forgettableAggregates.touch(aggregate, second);
            }
            return null;
        }
        Tracked host = new Tracked(Prefix.host(destination), false, aggregate);
        hosts.put(destination, host);
        seen(host, second);
        return host;
    }

    /** Tracks aggregate {@code network} from now on, or returns null when there is no room for it. */
    private Tracked admitAggregate(IpAddress network, long second, boolean force) {
        if (!makeRoom(network, true, second, force)) {
            return null;
        }
        Tracked aggregate = new Tracked(new Prefix(network, aggregateLength(network.version())), true, null);
        aggregates.put(network, aggregate);
        seen(aggregate, second);
        return aggregate;
    }

    /**
     * Makes room for one more tracked destination, or says there is none. Below the limit there
     * is. At the limit, the least recently seen destination that may be forgotten (not under
     * attack; an aggregate without tracked hosts) goes when it is idle, or when it is not busy
     * (no sample in this second or the one before) and the newcomer is (at least
     * {@link #BUSY_SAMPLES} samples in this second). Otherwise the newcomer is refused and
     * counted in its aggregate only. A spoofed flood of addresses seen once or twice therefore
     * fills only the room there is and never pushes out a destination with regular traffic; a
     * flood on one new address still gets it tracked within a few samples.
     */
    private boolean makeRoom(IpAddress newcomer, boolean aggregate, long second, boolean force) {
        if (hosts.size() + aggregates.size() < config.maxTrackedDestinations()) {
            return true;
        }
        Tracked victim = leastRecentlySeen();
        if (victim == null) {
            return force; // everything is under attack (or holds hosts that are)
        }
        if (!force && victim.lastSecond > second - idleSeconds) {
            int busyFor = newcomers.add(newcomer, aggregate, second);
            if (victim.lastSecond > second - BUSY_SECONDS || busyFor < BUSY_SAMPLES) {
                return false;
            }
        }
        forget(victim, second);
        return true;
    }

    /** The least recently seen host or aggregate that may be forgotten, or null. */
    private Tracked leastRecentlySeen() {
        Tracked host = forgettableHosts.oldest();
        Tracked aggregate = forgettableAggregates.oldest();
        if (host == null) {
            return aggregate;
        }
        return aggregate == null || host.lastSecond <= aggregate.lastSecond ? host : aggregate;
    }

    /** Forgets destinations silent for {@code idleForgetAfter}, at most {@link #SWEEP_LIMIT} of them. */
    private void forgetIdle(long second) {
        for (int i = 0; i < SWEEP_LIMIT; i++) {
            Tracked oldest = leastRecentlySeen();
            if (oldest == null || oldest.lastSecond > second - idleSeconds) {
                return;
            }
            forget(oldest, second);
        }
    }

    /**
     * Forgets a destination that may be forgotten. A host's baseline goes into its aggregate's
     * prior, which new hosts there start from; an aggregate left without tracked hosts becomes
     * forgettable itself, as if seen now (so it outlives its last host by the idle time).
     */
    private void forget(Tracked t, long second) {
        destinationsForgotten++;
        if (t.aggregate) {
            forgettableAggregates.remove(t);
            aggregates.remove(t.prefix.network());
            return;
        }
        forgettableHosts.remove(t);
        hosts.remove(t.prefix.network());
        Tracked above = t.aggregateAbove;
        if (t.baseline.learnedSeconds() > 0) {
            if (above.forgottenHosts == null) {
                above.forgottenHosts = new BaselinePrior(config.baselineHalfLifeSeconds());
            }
            above.forgottenHosts.fold(t.baseline, second);
        }
        if (--above.trackedHosts == 0 && above.activeAttacks == 0) {
            forgettableAggregates.touch(above, second);
        }
    }

    /** Notes a sample of {@code t} in {@code second}: it moves to the recent end of its list. */
    private void seen(Tracked t, long second) {
        if (t.forgettable()) {
            (t.aggregate ? forgettableAggregates : forgettableHosts).touch(t, second);
        } else {
            t.lastSecond = second;
        }
    }

    /** An attack began on {@code t}: it may not be forgotten while it lasts. */
    private void attackBegan(Tracked t) {
        if (t.activeAttacks++ == 0) {
            (t.aggregate ? forgettableAggregates : forgettableHosts).remove(t);
        }
        underAttack.add(t);
    }

    /** An attack on {@code t} ended (or its rule was forgotten). */
    private void attackEnded(Tracked t) {
        if (--t.activeAttacks == 0) {
            underAttack.remove(t);
            seen(t, RateWindow.bucketOf(nowNanos));
        }
    }

    private int aggregateLength(int version) {
        return version == 4 ? config.aggregateLengthV4() : config.aggregateLengthV6();
    }

    /**
     * Lets time pass without samples: ends attacks and retires rules whose traffic stopped, and
     * fingerprints attacks whose collection time is up.
     */
    public void advanceTo(long timeNanos) {
        if (timeNanos < nowNanos) {
            return;
        }
        nowNanos = timeNanos;
        forgetIdle(RateWindow.bucketOf(timeNanos));
        for (Tracked t : List.copyOf(underAttack)) {
            roll(t, RateWindow.bucketOf(timeNanos));
            for (Attack a : t.attacks) {
                if (a != null
                        && a.state == State.COLLECTING
                        && timeNanos - a.collectingSinceNanos
                                >= config.maxFingerprintDelay().toNanos()) {
                    decide(t, a);
                }
            }
            evaluateEnds(t, timeNanos);
        }
        startWaiting();
    }

    /** Everything decided since the last call, oldest first. */
    public List<Decision> drainDecisions() {
        List<Decision> out = List.copyOf(decisions);
        decisions.clear();
        return out;
    }

    /** The rules in force, auto and manual, in the order they were made. */
    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    /** The attacks under way, in the order they began. */
    public List<AttackState> attacks() {
        List<AttackState> out = new ArrayList<>();
        for (Tracked t : underAttack) {
            for (Attack a : t.attacks) {
                if (a != null) {
                    out.add(new AttackState(
                            t.prefix,
                            a.trafficClass,
                            a.detectedNanos,
                            a.rule == null ? Optional.empty() : Optional.of(a.rule.rule),
                            a.evidence));
                }
            }
        }
        return out;
    }

    /**
     * Takes over an automatic rule made elsewhere — by the controller that led before, whose rules
     * are in the store — as the rule of the attack its evidence names (destination and traffic
     * class): the detector then re-matches that attack's samples against the rule's filter and
     * retires it when its traffic stays low for the cool-down, exactly as for its own rules. An
     * attack the detector has not seen starts now, mitigated, with the level it started at: the
     * class's threshold, or the baseline multiple of the evidence's baseline. When the detector
     * has a rule of its own for that attack, the adopted rule replaces it (no two rules for one
     * attack) and the replaced id is returned; the adopted rule keeps the rate already matched.
     * Adopting a rule the detector has is a no-op.
     *
     * @param rule an automatic rule whose match is classic BPF
     * @param evidence its evidence (destination, traffic_class, trigger, rates)
     */
    public Adoption adopt(Rule rule, AttackEvidence evidence) {
        if (rule.origin() != Origin.AUTO) {
            return Adoption.refused("origin: not an automatic rule");
        }
        if (!(rule.match() instanceof Match.Cbpf filter)) {
            return Adoption.refused(rule.match().field() + ": an automatic rule matches with cbpf");
        }
        if (rules.containsKey(rule.id())) {
            return Adoption.of(Adoption.Outcome.KNOWN);
        }
        Prefix destination;
        TrafficClass c;
        Trigger trigger;
        try {
            destination = Prefix.parse(String.valueOf(evidence.destination()));
        } catch (IllegalArgumentException e) {
            return Adoption.refused("evidence.destination: " + e.getMessage());
        }
        try {
            c = TrafficClass.valueOf(String.valueOf(evidence.trafficClass()).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Adoption.refused("evidence.traffic_class: '" + evidence.trafficClass() + "' is not a traffic class");
        }
        try {
            trigger = Trigger.valueOf(String.valueOf(evidence.trigger()).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Adoption.refused("evidence.trigger: '" + evidence.trigger() + "' is neither threshold nor baseline");
        }
        IpAddress network = destination.network();
        // An adopted rule is an attack: its destination is tracked even when the table is full.
        Tracked t;
        long second = RateWindow.bucketOf(nowNanos);
        if (destination.isHost()) {
            t = hosts.get(network);
            if (t == null) {
                t = admitHost(network, trackedAggregate(network, second, true), second, true);
            }
        } else if (destination.length() == aggregateLength(network.version())) {
            t = trackedAggregate(network, second, true);
        } else {
            return Adoption.refused("evidence.destination: " + destination + " is neither a host nor a /"
                    + aggregateLength(network.version()) + " aggregate");
        }
        Attack a = t.attacks[c.ordinal()];
        if (a != null && a.rule != null) {
            String replaced = a.rule.rule.id();
            rules.remove(replaced);
            a.rule = new ActiveRule(rule, filter, a.rule.matched);
            rules.put(rule.id(), rule);
            return new Adoption(Adoption.Outcome.MERGED, Optional.of(replaced), "");
        }
        if (a == null) {
            Threshold threshold = t.thresholds[c.ordinal()];
            double level = trigger == Trigger.THRESHOLD
                    ? (threshold.packetsPerSecond() == Long.MAX_VALUE
                            ? evidence.packetsPerSecond()
                            : threshold.packetsPerSecond())
                    : Math.max(
                            config.baselineFloorPacketsPerSecond(),
                            config.baselineMultiple() * evidence.baselinePacketsPerSecond());
            long coverStart = (RateWindow.bucketOf(nowNanos) - config.windowSeconds()) * SECOND;
            a = new Attack(c, nowNanos);
            a.coverStartNanos = Math.max(0, coverStart);
            a.evidence = new Evidence(
                    trigger,
                    evidence.packetsPerSecond(),
                    evidence.bitsPerSecond(),
                    threshold,
                    evidence.baselinePacketsPerSecond(),
                    level,
                    null,
                    evidence.samplesPerDatacenter(),
                    "adopted rule " + rule.id() + " from the store");
            t.attacks[c.ordinal()] = a;
            attackBegan(t);
            t.anomalous = true;
        }
        decided(a);
        a.mitigated(new ActiveRule(rule, filter, config.windowSeconds()));
        rules.put(rule.id(), rule);
        return Adoption.of(Adoption.Outcome.ADOPTED);
    }

    /**
     * Forgets automatic rule {@code id} and the attack it mitigates, without a decision: someone
     * else removed the rule (an operator deleted it from the store). If the attack goes on, the
     * detector sees it again and makes a new rule. Returns whether there was such a rule.
     */
    public boolean forget(String id) {
        for (Tracked t : underAttack) {
            for (int i = 0; i < CLASSES; i++) {
                Attack a = t.attacks[i];
                if (a != null && a.rule != null && a.rule.rule.id().equals(id)) {
                    t.attacks[i] = null;
                    rules.remove(id);
                    attackEnded(t);
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds a manual rule: the detector never retires it (nor matches samples against it). */
    public void addManualRule(Rule rule) {
        if (rule.origin() != Origin.MANUAL) {
            throw new IllegalArgumentException("rule " + rule.id() + " is not a manual rule");
        }
        if (rules.putIfAbsent(rule.id(), rule) != null) {
            throw new IllegalArgumentException("a rule with id " + rule.id() + " exists already");
        }
    }

    /** Removes a manual rule by id; returns whether there was one. */
    public boolean removeManualRule(String id) {
        Rule rule = rules.get(id);
        if (rule == null || rule.origin() != Origin.MANUAL) {
            return false;
        }
        rules.remove(id);
        return true;
    }

    public long samplesSeen() {
        return samples;
    }

    public long samplesUndecodable() {
        return undecodable;
    }

    /** Hosts and aggregates tracked now: at most {@link DetectorConfig#maxTrackedDestinations()}. */
    public int trackedDestinations() {
        return hosts.size() + aggregates.size();
    }

    /**
     * Samples whose destination host was not tracked (the table was full and nothing could make
     * room for it), counted in their aggregate only.
     */
    public long samplesInAggregateOnly() {
        return samplesInAggregateOnly;
    }

    /** Samples for which neither the destination host nor its aggregate could be tracked: counted nowhere. */
    public long samplesUncounted() {
        return samplesUncounted;
    }

    /** Whether host or aggregate {@code destination} is tracked now (for tests). */
    boolean tracks(Prefix destination) {
        return (destination.isHost() ? hosts.get(destination.network()) : aggregates.get(destination.network()))
                != null;
    }

    /** The quiet seconds host or aggregate {@code destination}'s baseline has learned, or -1 when it is not tracked (for tests). */
    long learnedSeconds(Prefix destination) {
        Tracked t = destination.isHost() ? hosts.get(destination.network()) : aggregates.get(destination.network());
        return t == null ? -1 : t.baseline.learnedSeconds();
    }

    /** Attacks collecting samples now: at most {@link #MAX_FINGERPRINTING_ATTACKS} (for tests). */
    int fingerprintingAttacks() {
        return fingerprinting;
    }

    /** Destinations forgotten so far: idle, or making room for a busier one. */
    public long destinationsForgotten() {
        return destinationsForgotten;
    }

    /**
     * Adds a sample to a destination. Returns true when an attack on the destination claims the
     * sample's class, so that the aggregate above does not count it a second time.
     */
    private boolean account(Tracked t, DecodedPacket p, Sample sample, long bucket) {
        long now = sample.timestampNanos();
        if (t.lastSecond != bucket) {
            seen(t, bucket);
        }
        t.samplingRate = sample.samplingRate();
        if (bucket > t.window.bucket()) {
            roll(t, bucket);
        }
        TrafficClass c = p.trafficClass();
        long n = sample.samplingRate();
        long bits = 8L * sample.wireLength() * n;
        t.window.add(TrafficClass.ALL, n, bits);
        t.window.add(c, n, bits);
        t.history.add(sample);

        boolean claimed = false;
        if (t.activeAttacks > 0) {
            t.anomalous = true;
            for (Attack a : t.attacks) {
                if (a == null || (a.trafficClass != TrafficClass.ALL && a.trafficClass != c)) {
                    continue;
                }
                claimed = true;
                if (a.state == State.COLLECTING) {
                    a.offer(sample, p, config.reservoirSize(), random);
                    a.samplingRate = sample.samplingRate();
                }
                if (a.state == State.COLLECTING) {
                    long since = now - a.collectingSinceNanos;
                    if ((a.samples.seen() >= config.minFingerprintSamples()
                                    && since >= config.minFingerprintSpan().toNanos())
                            || since >= config.maxFingerprintDelay().toNanos()) {
                        decide(t, a);
                    }
                } else if (a.rule != null && a.rule.filter.matches(sample.packet(), sample.wireLength())) {
                    // Sampling precedes dropping: matched samples measure the attack the rule stops.
                    a.rule.matched.advanceTo(bucket);
                    a.rule.matched.add(TrafficClass.ALL, n, bits);
                    if (!a.rule.rule.datacenters().isEmpty()) {
                        a.rule.matchedIn.merge(sample.datacenter(), 1L, Long::sum);
                        a.rule.matchedSamples++;
                    }
                }
            }
        }
        check(t, c, now, sample);
        if (t.activeAttacks == 0) {
            check(t, TrafficClass.ALL, now, sample);
        }
        // An attack that started with this very sample claims it too.
        return t.activeAttacks > 0
                && (claimed || t.attacks[c.ordinal()] != null || t.attacks[TrafficClass.ALL.ordinal()] != null);
    }

    /** Starts an attack when class {@code c} crossed its threshold or baseline level. */
    private void check(Tracked t, TrafficClass c, long now, Sample sample) {
        if (t.activeAttacks == 0) {
            int at = c.ordinal() * 2;
            if (t.window.packetsPerSecond(c, now) < t.watch[at]
                    && (t.watch[at + 1] == Double.POSITIVE_INFINITY
                            || t.window.bitsPerSecond(c, now) < t.watch[at + 1])) {
                return; // the common case: far below every level
            }
        }
        Attack existing = t.attacks[c.ordinal()];
        if (existing != null
                && !(existing.state == State.UNMITIGATED && existing.evidence.trigger() == Trigger.BASELINE)) {
            return;
        }
        Threshold threshold = t.thresholds[c.ordinal()];
        double pps = t.window.packetsPerSecond(c, now);
        double bps = t.window.bitsPerSecond(c, now);
        if (existing != null) {
            // An anomaly without a rule that grows past the threshold becomes a threshold attack,
            // which gets a rule even when it is only a rate limit. Its samples are collected
            // afresh (an anomaly without a rule keeps none): the recent ones first, as at detection.
            if (pps >= threshold.packetsPerSecond() || bps >= threshold.bitsPerSecond()) {
                existing.evidence = new Evidence(
                        Trigger.THRESHOLD,
                        pps,
                        bps,
                        threshold,
                        existing.evidence.baselinePacketsPerSecond(),
                        threshold.packetsPerSecond() == Long.MAX_VALUE ? pps : threshold.packetsPerSecond(),
                        null,
                        existing.datacenters,
                        "the anomaly grew past the threshold");
                existing.belowSinceNanos = -1;
                decisions.add(new Decision(now, Decision.Kind.ATTACK_DETECTED, t.prefix, c, null, existing.evidence));
                if (startCollecting(t, existing, now, (RateWindow.bucketOf(now) - config.windowSeconds()) * SECOND)
                        && existing.samples.seen() >= config.minFingerprintSamples()) {
                    decide(t, existing);
                }
            }
            return;
        }
        double baseline = t.baseline.packetsPerSecond(c);
        boolean warm = t.baseline.learnedSeconds() >= config.baselineWarmupSeconds();
        double baselineLevel = Math.max(config.baselineFloorPacketsPerSecond(), config.baselineMultiple() * baseline);
        Trigger trigger = null;
        double level = 0;
        if (pps >= threshold.packetsPerSecond() || bps >= threshold.bitsPerSecond()) {
            trigger = Trigger.THRESHOLD;
            level = threshold.packetsPerSecond() == Long.MAX_VALUE ? pps : threshold.packetsPerSecond();
        } else if (warm && c != TrafficClass.ALL && pps >= significant(baselineLevel, t.samplingRate)) {
            trigger = Trigger.BASELINE;
            level = baselineLevel;
        }
        if (trigger == null) {
            if (pps
                            >= config.endFraction()
                                    * Math.min(threshold.packetsPerSecond(), warm ? baselineLevel : Double.MAX_VALUE)
                    || bps >= config.endFraction() * threshold.bitsPerSecond()) {
                t.anomalous = true; // close to a limit: do not learn this second as normal
            }
            return;
        }
        long coverStart = (RateWindow.bucketOf(now) - config.windowSeconds()) * SECOND;
        Attack a = new Attack(c, now);
        a.samplingRate = sample.samplingRate();
        a.evidence = new Evidence(
                trigger,
                pps,
                bps,
                threshold,
                warm ? baseline : 0,
                level,
                null,
                new TreeMap<>(),
                trigger == Trigger.THRESHOLD
                        ? "rate crossed the " + (t.aggregate ? "aggregate" : "host") + " threshold"
                        : String.format(
                                "rate is %.1fx the baseline",
                                baseline > 0 ? pps / baseline : Double.POSITIVE_INFINITY));
        // The samples that crossed the level are the attack's first samples.
        boolean collecting = startCollecting(t, a, now, coverStart);
        t.history.discardRecent();
        t.attacks[c.ordinal()] = a;
        attackBegan(t);
        t.anomalous = true;
        decisions.add(new Decision(now, Decision.Kind.ATTACK_DETECTED, t.prefix, c, null, a.evidence));
        if (collecting && a.samples.seen() >= config.minFingerprintSamples()) {
            decide(t, a);
        }
    }

    /**
     * Starts collecting {@code a}'s samples (the recent ones first) from {@code now}, covering the
     * time from {@code coverStart}, or, when {@link #MAX_FINGERPRINTING_ATTACKS} attacks collect
     * already, queues it: it collects when one of them is decided. Returns whether it collects.
     */
    private boolean startCollecting(Tracked t, Attack a, long now, long coverStart) {
        if (fingerprinting >= MAX_FINGERPRINTING_ATTACKS) {
            a.state = State.WAITING;
            waiting.add(new Waiting(t, a));
            return false;
        }
        fingerprinting++;
        a.collect(
                now,
                Math.max(0, coverStart),
                new AttackSamples(config.sketchCapacity(), config.reservoirSize(), random.nextLong()));
        offerRecent(t, a);
        return true;
    }

    /**
     * Lets waiting attacks collect while fewer than {@link #MAX_FINGERPRINTING_ATTACKS} do. Their
     * samples are those from now on (the recent ones of the destination first); they are decided
     * like any other, at the latest {@code maxFingerprintDelay} from now.
     */
    private void startWaiting() {
        while (fingerprinting < MAX_FINGERPRINTING_ATTACKS && !waiting.isEmpty()) {
            Waiting w = waiting.poll();
            Attack a = w.attack();
            if (a.state == State.WAITING && w.destination().attacks[a.trafficClass.ordinal()] == a) {
                startCollecting(
                        w.destination(),
                        a,
                        nowNanos,
                        (RateWindow.bucketOf(nowNanos) - config.windowSeconds()) * SECOND);
            }
        }
    }

    /** {@code a} is decided (or adopted): its collection slot, if it had one, goes to a waiting attack at the next {@link #advanceTo}. */
    private void decided(Attack a) {
        if (a.state == State.COLLECTING) {
            fingerprinting--;
        }
    }

    /** Offers the destination's samples of this second and an unquiet previous one to an attack of their class. */
    private void offerRecent(Tracked t, Attack a) {
        for (Sample seen : t.history.recent()) {
            DecodedPacket p = SampleDecoder.decode(seen);
            if (p != null && (a.trafficClass == TrafficClass.ALL || p.trafficClass() == a.trafficClass)) {
                a.offer(seen, p, config.reservoirSize(), random);
            }
        }
    }

    /**
     * The rate that exceeds {@code level} beyond sampling noise: the window holds a Poisson
     * number of samples, so the level is raised by three standard deviations of the sample count
     * expected at the level. Without this margin, legitimate growth close to the level would
     * cross it by chance somewhere in a long, continuously watched stream.
     */
    private double significant(double level, int samplingRate) {
        double expectedSamples = level * config.windowSeconds() / samplingRate;
        return level + 3 * Math.sqrt(expectedSamples) * samplingRate / config.windowSeconds();
    }

    /**
     * Recomputes the rates below which {@link #check} has nothing to do: the lowest level at
     * which a sample could start an attack or mark its second anomalous.
     */
    private void updateWatch(Tracked t) {
        boolean warm = t.baseline.learnedSeconds() >= config.baselineWarmupSeconds();
        for (TrafficClass c : TrafficClass.values()) {
            double level = t.thresholds[c.ordinal()].packetsPerSecond();
            if (warm && c != TrafficClass.ALL) {
                level = Math.min(
                        level,
                        Math.max(
                                config.baselineFloorPacketsPerSecond(),
                                config.baselineMultiple() * t.baseline.packetsPerSecond(c)));
            }
            long bits = t.thresholds[c.ordinal()].bitsPerSecond();
            t.watch[c.ordinal() * 2] = config.endFraction() * level;
            t.watch[c.ordinal() * 2 + 1] =
                    bits == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : config.endFraction() * bits;
        }
    }

    /** Fingerprints an attack and makes its rule (or decides not to). */
    private void decide(Tracked t, Attack a) {
        TrafficClass c = a.trafficClass;
        int version = t.prefix.network().version();
        // Discounting the normal traffic the baseline expects needs only one learned second (the
        // baseline is a running mean until its half-life, and the selector caps the discount at
        // half the samples); the longer warm-up guards the baseline-multiple trigger, not this.
        // The baseline learns only seconds with no attack on the destination, in any class, so
        // after an attack it may have learned very few. A
        // flood that starts in a node's first half-minute then still gets a drop rule instead of a
        // rate limit when normal traffic to the same destination shares its class.
        boolean learned = t.baseline.learnedSeconds() >= DISCOUNT_LEARNED_SECONDS;
        double coveredSeconds = Math.max(0, nowNanos - a.coverStartNanos) / (double) SECOND;
        double expectedLegitimate =
                learned ? t.baseline.packetsPerSecond(c) * coveredSeconds / Math.max(1, a.samplingRate) : 0;
        Selection selection = selector.select(a.samples, c, version, t.history.settled(), expectedLegitimate);
        // Where the attack is seen: the data centers of the samples its fingerprint matches.
        TreeMap<String, Long> seenIn = new TreeMap<>();
        for (Sample seen : a.located) {
            if (selection.fingerprint() == null || selection.fingerprint().matches(SampleDecoder.decode(seen))) {
                seenIn.merge(seen.datacenter(), 1L, Long::sum);
            }
        }
        List<String> scope = scope(seenIn);
        String note;
        Match.Cbpf filter = null;
        Action action = null;
        if (selection.fingerprint() != null) {
            try {
                filter = filters.compile(t.prefix, selection.fingerprint());
                action = new Action.Drop();
                note = "dropping: the fingerprint covers the attack and spares normal traffic";
            } catch (IllegalArgumentException e) {
                note = "fingerprint could not become a filter: " + e.getMessage();
            }
        } else {
            note = "no fingerprint separates the attack from normal traffic";
        }
        if (filter == null && a.evidence.trigger() == Trigger.THRESHOLD) {
            Threshold threshold = t.thresholds[c.ordinal()];
            long limit = threshold.packetsPerSecond() != Long.MAX_VALUE
                    ? threshold.packetsPerSecond()
                    : Math.max(1, threshold.bitsPerSecond() / (8 * 1500));
            try {
                filter = filters.compile(t.prefix, new Fingerprint(c, version, Map.of()));
                // A burst of one second of the rate.
                action = new Action.RateLimit(
                        Math.min(limit, Action.RateLimit.MAX_PPS), Math.min(limit, Action.RateLimit.MAX_BURST));
                note = note + "; rate-limiting the class to its threshold";
            } catch (IllegalArgumentException e) {
                note = note + "; and the class filter failed: " + e.getMessage();
            }
        }
        // The filter already tests the destination, so the rule names none of its own.
        Rule rule = filter == null
                ? null
                : new Rule(
                        ruleIdPrefix + nextRuleId,
                        filter,
                        List.of(),
                        scope,
                        action,
                        Optional.empty(),
                        c.name().toLowerCase(java.util.Locale.ROOT) + " attack on " + t.prefix + ": "
                                + filter.description(),
                        Origin.AUTO);
        if (rule != null) {
            // The filter tests the attacked destination itself, so the rule is exactly its filter.
            Optional<RuleGuard.Refusal> refusal = guard.check(
                    new RuleFilter(rule, filter.program(), Optional.empty()),
                    List.of(t.prefix),
                    legitimate.snapshot(nowNanos));
            if (refusal.isPresent()) {
                a.state = State.UNMITIGATED;
                a.evidence = a.evidence.withSelection(
                        selection,
                        seenIn,
                        note + "; the guard refused rule " + rule.id() + " ("
                                + refusal.get().check().label() + "): "
                                + refusal.get().reason());
                decisions.add(new Decision(nowNanos, Decision.Kind.RULE_REFUSED, t.prefix, c, rule, a.evidence));
                return;
            }
        }
        a.evidence = a.evidence.withSelection(selection, seenIn, note);
        if (rule == null) {
            decided(a);
            a.unmitigated();
            decisions.add(new Decision(
                    nowNanos,
                    Decision.Kind.NO_RULE,
                    t.prefix,
                    c,
                    null,
                    a.evidence.withSelection(
                            selection, seenIn, note + "; below the thresholds, an anomaly alone makes no rule")));
            return;
        }
        nextRuleId++;
        decided(a);
        a.mitigated(new ActiveRule(rule, filter, config.windowSeconds()));
        rules.put(rule.id(), rule);
        decisions.add(new Decision(nowNanos, Decision.Kind.RULE_ADDED, t.prefix, c, rule, a.evidence));
    }

    /** The data centers that see the attack, sorted, or none (all of them) when more than half do. */
    private List<String> scope(Map<String, Long> counts) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        TreeSet<String> seeing = new TreeSet<>();
        counts.forEach((dc, count) -> {
            if (count >= config.datacenterMinShare() * total) {
                seeing.add(dc);
            }
        });
        if (seeing.isEmpty() || seeing.size() * 2 > datacenters.size()) {
            return List.of();
        }
        return List.copyOf(seeing);
    }

    /**
     * Widens a rule limited to some data centers when the samples its filter matched since the
     * last check show the attack in another one, with the share {@link #scope} asks at detection.
     * Anycast spreads an attack, and the samples at detection can come from fewer data centers
     * than it reaches (one exporter's datagram arrives first, or the flood starts there a moment
     * later): without this, a data center left out would stay unprotected for the whole attack.
     * Checked once a second, on at least {@link #WIDEN_MIN_SAMPLES} samples; a rule never narrows.
     */
    private void widen(Tracked t, Attack a, long now) {
        ActiveRule active = a.rule;
        List<String> current = active.rule.datacenters();
        if (current.isEmpty() || active.matchedSamples < WIDEN_MIN_SAMPLES) {
            return; // in every data center already, or too few samples yet to tell
        }
        TreeSet<String> wider = new TreeSet<>(current);
        long total = active.matchedSamples;
        active.matchedIn.forEach((dc, count) -> {
            if (count >= config.datacenterMinShare() * total) {
                wider.add(dc);
            }
        });
        active.matchedIn.clear();
        active.matchedSamples = 0;
        if (wider.size() == current.size()) {
            return;
        }
        List<String> scope = wider.size() * 2 > datacenters.size() ? List.of() : List.copyOf(wider);
        Rule widened = active.rule.withDatacenters(scope);
        a.rule = new ActiveRule(widened, active.filter, active.matched);
        rules.put(widened.id(), widened);
        decisions.add(new Decision(now, Decision.Kind.RULE_WIDENED, t.prefix, a.trafficClass, widened, a.evidence));
    }

    /** Completes the seconds before {@code bucket}: baselines, history, attack ends. */
    private void roll(Tracked t, long bucket) {
        if (t.window.bucket() == Long.MIN_VALUE) {
            t.window.advanceTo(bucket);
            return;
        }
        int rolled = 0;
        while (t.window.bucket() < bucket && rolled < MAX_ROLLED_SECONDS) {
            long second = t.window.bucket();
            for (TrafficClass c : TrafficClass.values()) {
                counts[c.ordinal()] = t.window.packetsIn(second, c);
            }
            boolean quiet = !t.anomalous && t.activeAttacks == 0;
            if (quiet && t.previousQuiet) {
                t.baseline.learn(t.previousCounts);
                updateWatch(t);
            }
            System.arraycopy(counts, 0, t.previousCounts, 0, CLASSES);
            t.previousQuiet = quiet;
            t.history.completeSecond(quiet);
            t.anomalous = false;
            t.window.advanceTo(second + 1);
            if (t.activeAttacks > 0) {
                evaluateEnds(t, (second + 1) * SECOND);
            }
            rolled++;
        }
        if (t.window.bucket() < bucket) {
            t.window.advanceTo(bucket);
            if (t.activeAttacks > 0) {
                evaluateEnds(t, bucket * SECOND);
            }
        }
    }

    /** Ends attacks and retires rules below the end level for the whole cool-down. */
    private void evaluateEnds(Tracked t, long now) {
        for (int i = 0; i < CLASSES; i++) {
            Attack a = t.attacks[i];
            if (a == null || a.state == State.COLLECTING) {
                continue;
            }
            double pps;
            double bps;
            if (a.rule != null) {
                widen(t, a, now);
                a.rule.matched.advanceTo(RateWindow.bucketOf(now));
                pps = a.rule.matched.packetsPerSecond(TrafficClass.ALL, now);
                bps = a.rule.matched.bitsPerSecond(TrafficClass.ALL, now);
            } else {
                pps = t.window.packetsPerSecond(a.trafficClass, now);
                bps = t.window.bitsPerSecond(a.trafficClass, now);
            }
            Threshold threshold = a.evidence.threshold();
            boolean above = pps >= config.endFraction() * a.evidence.triggerPacketsPerSecond()
                    || (a.evidence.trigger() == Trigger.THRESHOLD
                            && bps >= config.endFraction() * threshold.bitsPerSecond());
            if (above) {
                a.belowSinceNanos = -1;
                continue;
            }
            if (a.belowSinceNanos < 0) {
                a.belowSinceNanos = now;
            }
            if (now - a.belowSinceNanos < config.cooldown().toNanos()) {
                continue;
            }
            t.attacks[i] = null;
            attackEnded(t);
            String note = String.format(
                    "below %.0f%% of the %.0f pps level for %d s",
                    100 * config.endFraction(),
                    a.evidence.triggerPacketsPerSecond(),
                    config.cooldown().toSeconds());
            Evidence end = a.evidence.withRate(pps, bps, note);
            if (a.rule != null) {
                rules.remove(a.rule.rule.id());
                decisions.add(
                        new Decision(now, Decision.Kind.RULE_RETIRED, t.prefix, a.trafficClass, a.rule.rule, end));
            } else {
                decisions.add(new Decision(now, Decision.Kind.ATTACK_ENDED, t.prefix, a.trafficClass, null, end));
            }
        }
    }
}

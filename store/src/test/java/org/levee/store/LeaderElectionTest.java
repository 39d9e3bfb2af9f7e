package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.Op;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.Via;

/** Two controllers campaigning through a real etcd: one leader, fast takeover, a deposed leader cannot write. */
class LeaderElectionTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final java.util.concurrent.atomic.AtomicInteger PREFIXES =
            new java.util.concurrent.atomic.AtomicInteger();

    private static EtcdHarness etcd;
    /** Each test campaigns under its own prefix. */
    private FleetKeys keys;

    private final List<LeaderElection> elections = new ArrayList<>();

    /** What a candidate's listener was told, in order. */
    static final class Events implements LeadershipListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void elected(Fence fence) {
            events.add("elected at " + fence.createRevision());
        }

        @Override
        public void deposed(String why) {
            events.add("deposed: " + why);
        }

        boolean deposed() {
            return events.stream().anyMatch(e -> e.startsWith("deposed"));
        }
    }

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1).startProxy();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void freshKeys() {
        keys = new FleetKeys("/election-" + PREFIXES.incrementAndGet() + "/");
    }

    @AfterEach
    void stop() {
        elections.forEach(LeaderElection::close);
    }

    private LeaderElection candidate(EtcdClient client, String identity, Events events) {
        LeaderElection e = LeaderElection.start(client, keys.leader(), identity, TTL, events);
        elections.add(e);
        return e;
    }

    private static LeaderElection leaderOf(LeaderElection a, LeaderElection b) {
        Eventually.await(Duration.ofSeconds(5), "a leader is elected", () -> a.isLeader() || b.isLeader());
        return a.isLeader() ? a : b;
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void exactlyOneOfTwoLeadsAndTheOtherTakesOverWhenItResigns(Via via) {
        Events eventsA = new Events();
        Events eventsB = new Events();
        LeaderElection a = candidate(via.client(etcd), "ctl-a", eventsA);
        LeaderElection b = candidate(via.client(etcd), "ctl-b", eventsB);
        LeaderElection leader = leaderOf(a, b);
        LeaderElection follower = leader == a ? b : a;
        Events followerEvents = leader == a ? eventsB : eventsA;

        assertThat(follower.isLeader()).isFalse();
        assertThat(etcd.etcdctl("get", keys.leader(), "--print-value-only").strip())
                .isEqualTo(leader.identity());
        Eventually.await(
                Duration.ofSeconds(5),
                "both observe the leader",
                () -> a.leader().map(Leader::identity).equals(Optional.of(leader.identity()))
                        && b.leader().map(Leader::identity).equals(Optional.of(leader.identity())));
        assertThatThrownBy(follower::fence)
                .isInstanceOf(NotLeaderException.class)
                .hasMessage(follower.identity() + " is not the leader (the leader is " + leader.identity() + ")");
        // Both stay as they are for longer than a TTL: the leader renews its lease.
        sleep(TTL.toMillis() + 1000);
        assertThat(leader.isLeader()).isTrue();
        assertThat(follower.isLeader()).isFalse();
        assertThat(followerEvents.events).isEmpty();

        Instant resigned = Instant.now();
        leader.close();
        Eventually.await(Duration.ofSeconds(5), "the follower takes over", follower::isLeader);
        assertThat(Duration.between(resigned, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(etcd.etcdctl("get", keys.leader(), "--print-value-only").strip())
                .isEqualTo(follower.identity());
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aKilledLeaderIsReplacedWithinItsTtlAndItsFencedWritesAreRefused(Via via) {
        Events eventsA = new Events();
        Events eventsB = new Events();
        LeaderElection a = candidate(via.client(etcd), "ctl-a", eventsA);
        LeaderElection b = candidate(via.client(etcd), "ctl-b", eventsB);
        LeaderElection leader = leaderOf(a, b);
        LeaderElection follower = leader == a ? b : a;
        EtcdClient client = via.client(etcd);

        // While it leads, its fenced writes go through.
        leader.fencedTxn(List.of(
                Op.put(keys.prefix() + "test/written-by", leader.identity().getBytes(StandardCharsets.UTF_8))));
        Fence oldFence = leader.fence();

        Instant killed = Instant.now();
        leader.abandon(); // frozen or killed: no resignation, no more renewals
        Eventually.await(Duration.ofSeconds(5), "the follower takes over", follower::isLeader);
        assertThat(Duration.between(killed, Instant.now())).isLessThan(TTL.plusSeconds(2));

        // The old leader does not know, but etcd refuses its writes.
        assertThat(leader.isLeader()).isTrue();
        assertThatThrownBy(() -> leader.fencedTxn(
                        List.of(Op.put(keys.prefix() + "test/written-by", "stale".getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining("no longer holds the leader key");
        assertThat(client.get(keys.prefix() + "test/written-by").orElseThrow().valueUtf8())
                .isEqualTo(oldFence.holder());
        RulesetStore store = new RulesetStore(client, keys);
        byte[] object = "an object".getBytes(StandardCharsets.UTF_8);
        RulesetManifest manifest =
                new RulesetManifest(1, List.of(), store.refOf(object), Instant.now(), oldFence.holder());
        assertThatThrownBy(() -> store.publish(manifest, object, Optional.of(oldFence)))
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining("manifest version 1 not written");
        assertThat(store.current()).isEmpty();

        // The new leader publishes.
        store.publish(manifest, object, Optional.of(follower.fence()));
        assertThat(store.current().orElseThrow().manifest()).isEqualTo(manifest);
        assertThat(follower.leader().map(Leader::identity)).contains(follower.identity());
    }

    @Test
    void aLeaderWhoseLeaseIsRevokedIsToldAndReplaced() {
        Events eventsA = new Events();
        Events eventsB = new Events();
        LeaderElection a = candidate(etcd.client(), "ctl-a", eventsA);
        LeaderElection b = candidate(etcd.client(), "ctl-b", eventsB);
        LeaderElection leader = leaderOf(a, b);
        Events leaderEvents = leader == a ? eventsA : eventsB;
        LeaderElection follower = leader == a ? b : a;
        long lease = leader.leader()
                .map(Leader::lease)
                .orElseGet(() -> etcd.client().get(keys.leader()).orElseThrow().lease());

        etcd.etcdctl("lease", "revoke", Long.toHexString(lease));
        Eventually.await(Duration.ofSeconds(5), "the leader is told", leaderEvents::deposed);
        Eventually.await(Duration.ofSeconds(5), "someone leads again", () -> a.isLeader() || b.isLeader());
        assertThat(a.isLeader() && b.isLeader()).isFalse();
        assertThat(leaderEvents.events.getFirst()).startsWith("elected");
        assertThat(leaderEvents.events.get(1))
                .isIn(
                        "deposed: lease " + Long.toHexString(lease) + " no longer exists (expired or revoked)",
                        "deposed: the leader key was deleted or replaced");
        assertThat(follower.identity()).isNotEqualTo(leader.identity());
    }

    @Test
    void theLeaderSurvivesAnEtcdRestartShorterThanItsTtl() {
        Events events = new Events();
        LeaderElection a = candidate(etcd.client(), "ctl-a", events);
        Eventually.await(Duration.ofSeconds(5), "elected", a::isLeader);
        etcd.kill(0);
        etcd.restart(0);
        sleep(TTL.toMillis() + 500);
        // Either it kept leading, or it was deposed and elected again; never two leaders, and it leads now.
        Eventually.await(Duration.ofSeconds(5), "leads after the restart", a::isLeader);
        assertThat(etcd.etcdctl("get", keys.leader(), "--print-value-only").strip())
                .isEqualTo("ctl-a");
        a.fencedTxn(List.of(Op.put(keys.prefix() + "test/after-restart", new byte[] {1})));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

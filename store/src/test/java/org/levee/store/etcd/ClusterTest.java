package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.RecordingListener;

/** A three-member cluster losing members: watches and writes go on through the others. */
class ClusterTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(20);
    private static EtcdHarness etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(3);
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** Writes from..to, each to one of four keys; returns the longest a single write took (retries included). */
    private static Duration write(
            EtcdClient client,
            String prefix,
            int from,
            int to,
            Random random,
            Map<String, String> state,
            List<String> written) {
        Duration longest = Duration.ZERO;
        for (int i = from; i <= to; i++) {
            String key = prefix + "k" + random.nextInt(4);
            byte[] value = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            while (true) {
                try {
                    client.txn(List.of(Compare.valueIs(key, value)), List.of(), List.of(Op.put(key, value)));
                    break;
                } catch (StoreException e) {
                    if (System.nanoTime() - start > Duration.ofSeconds(20).toNanos()) {
                        throw e;
                    }
                    sleepQuietly(50);
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            longest = took.compareTo(longest) > 0 ? took : longest;
            state.put(key, Integer.toString(i));
            written.add(Integer.toString(i));
        }
        return longest;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void watchesAndWritesGoOnWhileOneMemberAtATimeIsDown() {
        EtcdClient writer = etcd.client();
        String prefix = "/cluster/one-down/";
        Map<String, String> state = new TreeMap<>();
        List<String> written = new ArrayList<>();
        Random random = new Random(31);
        RecordingListener listener = new RecordingListener();
        try (PrefixWatch watch = PrefixWatch.startPrefix(etcd.client(), prefix, listener)) {
            listener.awaitState(Map.of(), CATCH_UP);
            write(writer, prefix, 1, 50, random, state, written);
            List<Duration> slowest = new ArrayList<>();
            for (int member = 0; member < 3; member++) {
                etcd.stop(member);
                slowest.add(write(writer, prefix, 50 * member + 51, 50 * member + 100, random, state, written));
                listener.awaitState(state, CATCH_UP);
                etcd.restart(member);
            }
            listener.awaitState(state, CATCH_UP);
            listener.assertOrderedAndConsistent(true, written);
            assertThat(listener.updates()).extracting(WatchUpdate::cause).doesNotContain(WatchUpdate.Cause.RESYNC);
            // With a member down, a write may wait for a new raft leader (about an election timeout), no more.
            assertThat(slowest).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(5)));
            assertThat(watch.state().connected()).isTrue();
        }
    }

    @Test
    void aWatchOnAMemberThatMissedACompactionResyncs() {
        EtcdClient writer = etcd.client();
        String prefix = "/cluster/compacted/";
        Map<String, String> state = new TreeMap<>();
        List<String> written = new ArrayList<>();
        Random random = new Random(32);
        RecordingListener listener = new RecordingListener();
        EtcdHarness.Member third = etcd.members().get(2);
        try (EtcdClient onlyThird = etcd.client(EtcdSettings.of(third.clientUrl()));
                PrefixWatch watch = PrefixWatch.startPrefix(onlyThird, prefix, listener)) {
            write(writer, prefix, 1, 20, random, state, written);
            listener.awaitState(state, CATCH_UP);
            etcd.stop(2);
            Eventually.await(
                    Duration.ofSeconds(10),
                    "the watch notices its member is gone",
                    () -> !watch.state().connected());
            write(writer, prefix, 21, 60, random, state, written);
            long compacted = etcd.compact();
            etcd.restart(2);
            listener.awaitState(state, CATCH_UP);
            listener.assertOrderedAndConsistent(false, written);
            WatchUpdate last = listener.updates().getLast();
            assertThat(last.cause()).isEqualTo(WatchUpdate.Cause.RESYNC);
            assertThat(last.revision()).isGreaterThanOrEqualTo(compacted);
        }
    }
}

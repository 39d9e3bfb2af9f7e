package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.RecordingListener;
import org.levee.store.testing.Via;

/**
 * The watch loop against a real etcd that is restarted, compacted and cut off behind a
 * grpc-proxy: every delivery in order, each consistent with the last, nothing lost where etcd
 * still has the history, the final state always.
 */
class PrefixWatchTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(20);
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private EtcdHarness etcd;
    private final List<PrefixWatch> watches = new ArrayList<>();

    @BeforeEach
    void start() {
        etcd = EtcdHarness.start(1).startProxy();
    }

    @AfterEach
    void stop() {
        watches.forEach(PrefixWatch::close);
        if (etcd != null) {
            etcd.close();
        }
    }

    private PrefixWatch watch(EtcdClient client, String prefix, RecordingListener listener) {
        PrefixWatch watch = PrefixWatch.startPrefix(client, prefix, listener);
        watches.add(watch);
        return watch;
    }

    private static String freshPrefix() {
        return "/watch-" + PREFIXES.incrementAndGet() + "/";
    }

    /**
     * Writes the whole numbers from..to, each to one of five keys chosen by {@code random}; a
     * write that fails (etcd restarting) is retried, and a retry never writes a value twice.
     */
    private static void write(
            EtcdClient client,
            String prefix,
            int from,
            int to,
            Random random,
            Map<String, String> state,
            List<String> written) {
        for (int i = from; i <= to; i++) {
            String key = prefix + "k" + random.nextInt(5);
            byte[] value = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    client.txn(List.of(Compare.valueIs(key, value)), List.of(), List.of(Op.put(key, value)));
                    break;
                } catch (StoreException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleep(50);
                }
            }
            state.put(key, Integer.toString(i));
            written.add(Integer.toString(i));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void deliversEveryChangeInOrderStartingWithTheCurrentState(Via via) {
        EtcdClient writer = etcd.client();
        String prefix = freshPrefix();
        Map<String, String> state = new TreeMap<>();
        List<String> written = new ArrayList<>();
        Random random = new Random(11);
        write(writer, prefix, 1, 20, random, state, written);
        writer.put(prefix.substring(0, prefix.length() - 1) + "-outside", "999".getBytes(StandardCharsets.UTF_8));

        RecordingListener listener = new RecordingListener();
        PrefixWatch watch = watch(via.client(etcd), prefix, listener);
        listener.awaitState(state, CATCH_UP);
        assertThat(listener.updates().getFirst().cause()).isEqualTo(WatchUpdate.Cause.INITIAL);

        write(writer, prefix, 21, 300, random, state, written);
        writer.delete(KeyRange.key(prefix + "k3"));
        state.remove(prefix + "k3");
        listener.awaitState(state, CATCH_UP);

        // The initial snapshot carries only each key's latest value; from then on every write arrives.
        List<String> sinceStart = written.subList(20, written.size());
        List<String> initial = listener.updates().getFirst().changes().stream()
                .map(c -> c.value().orElseThrow().valueUtf8())
                .toList();
        List<String> expected = new ArrayList<>(initial);
        expected.addAll(sinceStart);
        listener.assertOrderedAndConsistent(true, expected);
        assertThat(listener.updates()).extracting(WatchUpdate::cause).doesNotContain(WatchUpdate.Cause.RESYNC);
        assertThat(listener.updates().getLast().changes())
                .extracting(KeyChange::type, KeyChange::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(KeyChange.Type.DELETE, prefix + "k3"));
        assertThat(watch.state().connected()).isTrue();
        assertThat(watch.state().reconnects()).isZero();
        assertThat(watch.state().revision())
                .isEqualTo(listener.updates().getLast().revision());
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void survivesAnEtcdRestartWithoutLosingOrReorderingAChange(Via via) {
        EtcdClient writer = etcd.client();
        String prefix = freshPrefix();
        Map<String, String> state = new TreeMap<>();
        List<String> written = new ArrayList<>();
        Random random = new Random(12);
        RecordingListener listener = new RecordingListener();
        PrefixWatch watch = watch(via.client(etcd), prefix, listener);
        listener.awaitState(Map.of(), CATCH_UP);

        write(writer, prefix, 1, 100, random, state, written);
        listener.awaitState(state, CATCH_UP);
        etcd.stop(0);
        if (via == Via.DIRECT) {
            Eventually.await(
                    Duration.ofSeconds(10),
                    "the watch notices that etcd is gone",
                    () -> !watch.state().connected());
        }
        etcd.restart(0);
        write(writer, prefix, 101, 200, random, state, written);
        listener.awaitState(state, CATCH_UP);

        listener.assertOrderedAndConsistent(true, written);
        assertThat(listener.updates()).extracting(WatchUpdate::cause).doesNotContain(WatchUpdate.Cause.RESYNC);
        if (via == Via.DIRECT) {
            assertThat(watch.state().reconnects()).isPositive();
        }
        Eventually.await(
                Duration.ofSeconds(10),
                "the watch is connected again",
                () -> watch.state().connected());
    }

    @Test
    void resyncsToTheFinalStateWhenItsRevisionWasCompactedWhileItWasCutOff() {
        EtcdClient writer = etcd.client();
        String prefix = freshPrefix();
        Map<String, String> state = new TreeMap<>();
        List<String> written = new ArrayList<>();
        Random random = new Random(13);
        RecordingListener listener = new RecordingListener();
        PrefixWatch watch = watch(etcd.proxyClient(), prefix, listener);

        write(writer, prefix, 1, 50, random, state, written);
        listener.awaitState(state, CATCH_UP);
        etcd.stopProxy(); // the watcher is cut off; etcd goes on
        Eventually.await(
                Duration.ofSeconds(10),
                "the watch notices that the proxy is gone",
                () -> !watch.state().connected());
        write(writer, prefix, 51, 120, random, state, written);
        writer.delete(KeyRange.key(prefix + "k0"));
        state.remove(prefix + "k0");
        long compacted = etcd.compact();
        etcd.startProxy();
        listener.awaitState(state, CATCH_UP);

        listener.assertOrderedAndConsistent(false, written);
        WatchUpdate resync = listener.updates().stream()
                .filter(u -> u.cause() == WatchUpdate.Cause.RESYNC)
                .findFirst()
                .orElseThrow();
        assertThat(resync.revision()).isGreaterThanOrEqualTo(compacted);
        assertThat(resync.changes())
                .anySatisfy(c -> assertThat(c)
                        .extracting(KeyChange::type, KeyChange::key)
                        .containsExactly(KeyChange.Type.DELETE, prefix + "k0"));
        assertThat(watch.state().reconnects()).isPositive();

        // And it watches on from there.
        write(writer, prefix, 121, 130, random, state, written);
        listener.awaitState(state, CATCH_UP);
        listener.assertOrderedAndConsistent(false, written);
    }

    @Test
    void startsWhileEtcdIsDownAndDeliversTheStateWhenItComesBack() {
        String prefix = freshPrefix();
        etcd.client().put(prefix + "a", "1".getBytes(StandardCharsets.UTF_8));
        etcd.stop(0);
        RecordingListener listener = new RecordingListener();
        PrefixWatch watch = watch(etcd.client(), prefix, listener);
        sleep(700);
        assertThat(listener.updates()).isEmpty();
        assertThat(watch.state().connected()).isFalse();
        assertThat(watch.state().lastError()).isPresent();
        etcd.restart(0);
        listener.awaitState(Map.of(prefix + "a", "1"), CATCH_UP);
        assertThat(listener.updates()).extracting(WatchUpdate::cause).containsExactly(WatchUpdate.Cause.INITIAL);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheWatch() {
        String prefix = freshPrefix();
        EtcdClient client = etcd.client();
        RecordingListener recorder = new RecordingListener();
        AtomicInteger calls = new AtomicInteger();
        PrefixWatch watch = PrefixWatch.startPrefix(client, prefix, u -> {
            recorder.onUpdate(u);
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("listener bug");
            }
        });
        watches.add(watch);
        for (int i = 1; i <= 3; i++) {
            client.put(prefix + "k", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
        recorder.awaitState(Map.of(prefix + "k", "3"), CATCH_UP);
    }
}

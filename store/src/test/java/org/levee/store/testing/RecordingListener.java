package org.levee.store.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.levee.store.etcd.KeyChange;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.PrefixWatch;
import org.levee.store.etcd.WatchUpdate;

/** Records a watch's deliveries and checks them: order, consistency, nothing lost. */
public final class RecordingListener implements PrefixWatch.Listener {
    private final List<WatchUpdate> updates = new CopyOnWriteArrayList<>();

    @Override
    public void onUpdate(WatchUpdate update) {
        updates.add(update);
    }

    public List<WatchUpdate> updates() {
        return List.copyOf(updates);
    }

    /** The values (UTF-8) of the last delivered snapshot; empty before the first. */
    public Map<String, String> latest() {
        return updates.isEmpty() ? Map.of() : values(updates.getLast());
    }

    /** Waits until a delivery came and the last delivered snapshot holds exactly {@code expected}. */
    public Duration awaitState(Map<String, String> expected, Duration timeout) {
        return Eventually.await(
                timeout,
                () -> ": expected " + abbreviate(expected) + ", last delivery " + abbreviate(latest()) + " after "
                        + updates.size() + " deliveries",
                () -> !updates.isEmpty() && latest().equals(expected));
    }

    /**
     * Checks every delivery: revisions increase; an EVENTS delivery's snapshot is the previous one
     * with its changes applied; each key's values (whole numbers, written in increasing order)
     * only increase. With {@code complete}, also that every value written was delivered exactly
     * once as a change (nothing lost, nothing repeated).
     */
    public void assertOrderedAndConsistent(boolean complete, List<String> written) {
        long revision = 0;
        Map<String, String> state = new TreeMap<>();
        Map<String, Long> lastValue = new HashMap<>();
        List<String> delivered = new ArrayList<>();
        for (WatchUpdate u : updates) {
            assertThat(u.revision()).as("revision of %s", u.cause()).isGreaterThan(revision);
            revision = u.revision();
            if (u.cause() == WatchUpdate.Cause.EVENTS) {
                for (KeyChange c : u.changes()) {
                    if (c.type() == KeyChange.Type.PUT) {
                        state.put(c.key(), c.value().orElseThrow().valueUtf8());
                    } else {
                        state.remove(c.key());
                    }
                }
                assertThat(values(u))
                        .as("snapshot at revision %d is the previous one with its changes", revision)
                        .isEqualTo(state);
            } else {
                state = new TreeMap<>(values(u));
            }
            for (KeyChange c : u.changes()) {
                assertThat(c.revision()).isLessThanOrEqualTo(u.revision());
                if (c.type() == KeyChange.Type.PUT) {
                    long v = Long.parseLong(c.value().orElseThrow().valueUtf8());
                    Long before = lastValue.put(c.key(), v);
                    if (before != null) {
                        assertThat(v)
                                .as("values of %s arrive in the order written", c.key())
                                .isGreaterThan(before);
                    }
                    delivered.add(c.value().get().valueUtf8());
                }
            }
        }
        if (complete) {
            assertThat(delivered).as("every write delivered exactly once").containsExactlyInAnyOrderElementsOf(written);
        }
    }

    private static Map<String, String> values(WatchUpdate u) {
        Map<String, String> values = new TreeMap<>();
        for (Map.Entry<String, KeyValue> e : u.snapshot().entrySet()) {
            values.put(e.getKey(), e.getValue().valueUtf8());
        }
        return values;
    }

    private static String abbreviate(Map<String, String> m) {
        Map<String, String> shown = new LinkedHashMap<>();
        m.entrySet().stream().limit(6).forEach(e -> shown.put(e.getKey(), e.getValue()));
        return shown + (m.size() > 6 ? " (+" + (m.size() - 6) + ")" : "");
    }
}

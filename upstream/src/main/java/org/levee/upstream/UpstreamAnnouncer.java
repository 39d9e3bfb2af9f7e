package org.levee.upstream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps the routes a speaker announces equal to the desired set. Each {@link #synchronize} reads
 * what the speaker announces (not what Levee remembers announcing), announces what is missing or
 * differs, then withdraws everything else Levee owns there: routes of retired rules, and leftovers
 * of an earlier run or of a speaker that kept its routes while Levee was down. After a restart of
 * the speaker (empty, unconfigured), the next synchronisation configures it and announces the
 * whole set again. Announcing before withdrawing means a route whose action changes is replaced,
 * never briefly absent.
 *
 * <p>It has no thread: {@link UpstreamKeeper} calls it after every rule change and every
 * {@code upstream.sync_interval}. {@link #withdrawAll()} is the explicit way out.
 */
public final class UpstreamAnnouncer {

    private final BgpSpeaker speaker;

    public UpstreamAnnouncer(BgpSpeaker speaker) {
        this.speaker = Objects.requireNonNull(speaker, "speaker");
    }

    /**
     * Makes the speaker announce exactly {@code desired} (of the routes Levee owns).
     *
     * @throws SpeakerException when the speaker cannot be reached; nothing is assumed, the next call starts over
     */
    public synchronized SyncReport synchronize(Set<Route> desired) {
        speaker.configure();
        Set<Route> current = speaker.announced();
        Map<String, Route> currentByKey = new HashMap<>();
        for (Route r : current) {
            currentByKey.put(r.family() + " " + r.key(), r);
        }
        List<Route> announced = new ArrayList<>();
        int kept = 0;
        for (Route r : desired) {
            if (current.contains(r)) {
                kept++;
            } else {
                speaker.announce(r);
                announced.add(r);
            }
        }
        Set<String> desiredKeys = new java.util.HashSet<>();
        for (Route r : desired) {
            desiredKeys.add(r.family() + " " + r.key());
        }
        List<Route> withdrawn = new ArrayList<>();
        for (Map.Entry<String, Route> e : currentByKey.entrySet()) {
            if (!desiredKeys.contains(e.getKey())) {
                speaker.withdraw(e.getValue());
                withdrawn.add(e.getValue());
            }
        }
        return new SyncReport(announced, withdrawn, kept);
    }

    /** Withdraws every route Levee owns on the speaker. */
    public SyncReport withdrawAll() {
        return synchronize(Set.of());
    }
}

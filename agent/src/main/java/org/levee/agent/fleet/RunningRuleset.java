package org.levee.agent.fleet;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.levee.dataplane.object.RuleInfo;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.store.RulesetManifest;

/**
 * The fleet's rule set an edge runs now, as its main program.
 *
 * @param origin where it came from
 * @param manifest its manifest, when known
 * @param manifestJson the manifest's bytes as etcd held them (empty when there is no manifest)
 * @param object the object, when known (not for a program adopted without its files)
 * @param objectBytes the object's bytes (empty when unknown)
 * @param programId the kernel id of the program running it
 * @param applied when this edge specialised it for the program running now (taken just before the
 *     swap; empty for an adopted program)
 */
public record RunningRuleset(
        Origin origin,
        Optional<RulesetManifest> manifest,
        byte[] manifestJson,
        Optional<RuleSetObject> object,
        byte[] objectBytes,
        long programId,
        Optional<Instant> applied) {

    /** Where the running rule set came from. */
    public enum Origin {
        /** Fetched from etcd and verified against its manifest. */
        ETCD("etcd"),
        /** Read from the state directory: the last set applied, while etcd has not answered yet. */
        LAST_GOOD("last-good file"),
        /** A program a previous run left attached, kept as it is (its files were missing or bad). */
        ADOPTED("adopted"),
        /** An empty rule set: nothing was ever published, or nothing is known yet. */
        NONE("none");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        /** How the API, the logs and the metrics name it. */
        public String label() {
            return label;
        }
    }

    /** The manifest's version, when known. */
    public OptionalLong version() {
        return manifest.map(m -> OptionalLong.of(m.version())).orElse(OptionalLong.empty());
    }

    /** The object's SHA-256, when known. */
    public Optional<String> sha256() {
        return manifest.map(m -> m.object().sha256());
    }

    /** "version 7 (object 3fa2c1d4e5f6)", or what is known. */
    public String describe() {
        if (origin == Origin.NONE) {
            return "an empty rule set";
        }
        return manifest.map(m -> "version " + m.version() + " (object "
                        + m.object().shortSha() + ", " + m.rules().size() + " rules)")
                .orElse(object.map(o ->
                                "rule set " + o.version() + " (" + o.rules().size() + " rules)")
                        .orElse("an unknown rule set"));
    }

    /**
     * When the program running must be specialised again: the earliest expiry, after the program
     * was specialised ({@link #applied}), of a rule enabled in {@code datacenter} then. The edge
     * specialises the object again at that moment, so that expiry holds with no controller up.
     */
    public Optional<Instant> nextExpiry(String datacenter) {
        if (object.isEmpty() || applied.isEmpty()) {
            return Optional.empty();
        }
        Instant since = applied.get();
        return object.get().rules().stream()
                .filter(r -> r.appliesIn(datacenter, since))
                .map(RuleInfo::expires)
                .flatMap(Optional::stream)
                .min(Instant::compareTo);
    }
}

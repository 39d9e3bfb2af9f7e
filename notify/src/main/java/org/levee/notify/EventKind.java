package org.levee.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a notification is about; its {@link #keyword()} is the JSON's {@code kind} and the configuration's name for it. */
public enum EventKind {
    /** The detector found an attack (a rate crossed its threshold or the baseline level). */
    ATTACK_DETECTED,
    /** An automatic rule came into force. */
    RULE_ADDED,
    /** An automatic rule was removed: its attack ended (or, on a node, it expired). */
    RULE_RETIRED,
    /** An attack for which no rule was made ended. */
    ATTACK_ENDED,
    /** Fleet: an edge's registration went and did not come back. */
    NODE_LOST,
    /** Fleet: an edge refused the published rule set (it keeps running the one before). */
    RULESET_REFUSED;

    /** {@code attack_detected}, {@code rule_added}, …. */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named {@code keyword}.
     *
     * @throws IllegalArgumentException naming the kinds there are
     */
    public static EventKind parse(String keyword) {
        for (EventKind k : values()) {
            if (k.keyword().equals(keyword)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown event '" + keyword + "' (" + names() + ")");
    }

    /** Every keyword, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(EventKind::keyword).collect(Collectors.joining(", "));
    }
}

package org.levee.upstream;

import java.util.Locale;

/** How a rule goes upstream. */
public enum UpstreamMode {
    /** FlowSpec routes with the rule's exact match and action (discard or traffic-rate). */
    FLOWSPEC,
    /** A remotely triggered blackhole of each destination host: every packet to it is dropped upstream. */
    BLACKHOLE;

    /** The word used in configuration, rule options and the API: {@code flowspec}, {@code blackhole}. */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode named {@code text}.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static UpstreamMode parse(String text) {
        for (UpstreamMode m : values()) {
            if (m.keyword().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an upstream mode (flowspec or blackhole)");
    }
}

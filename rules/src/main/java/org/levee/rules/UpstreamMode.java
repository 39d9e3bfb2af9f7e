package org.levee.rules;

import java.util.Locale;

/**
 * How a rule asks to go upstream, beyond the node's own XDP program: the rule's {@code upstream}
 * field in rule files, the API and etcd ({@code levee rules add … --upstream flowspec|blackhole}).
 * The module {@code upstream} turns the request into BGP routes; docs/operations.md describes both.
 */
public enum UpstreamMode {
    /** FlowSpec routes with the rule's exact match and action (discard or traffic-rate). */
    FLOWSPEC,
    /** A remotely triggered blackhole of each destination host: every packet to it is dropped upstream. */
    BLACKHOLE;

    /** The word used in configuration, rule files and the API: {@code flowspec}, {@code blackhole}. */
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

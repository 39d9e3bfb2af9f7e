package org.levee.upstream;

import java.util.Set;

/** A BGP speaker whose announced routes Levee reads and changes. */
public interface BgpSpeaker {

    /**
     * Brings the speaker's own configuration (AS, router id, neighbours) to what Levee's says, as
     * after the speaker restarted without it. Idempotent.
     *
     * @throws SpeakerException when the speaker cannot be reached or refuses
     */
    void configure();

    /**
     * The routes the speaker announces that Levee owns: every FlowSpec route of both families, and
     * every unicast route carrying the BLACKHOLE community.
     *
     * @throws SpeakerException when the speaker cannot be reached or its answer cannot be read
     */
    Set<Route> announced();

    /** Announces {@code route}, replacing an announced route with the same NLRI. */
    void announce(Route route);

    /** Withdraws {@code route} (nothing happens when it is not announced). */
    void withdraw(Route route);

    /** The neighbours and whether each session is established, for status lines. */
    java.util.Map<String, String> sessions();
}

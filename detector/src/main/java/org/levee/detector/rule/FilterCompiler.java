package org.levee.detector.rule;

import org.levee.detector.fingerprint.Fingerprint;
import org.levee.rules.Match;
import org.levee.rules.Prefix;

/**
 * Turns a fingerprint into the match of a rule: a classic BPF program matching the fingerprint
 * on packets to a destination, and its description in words. The detector only knows this
 * interface, so the way filters are generated (libpcap, the signatures module) can change
 * without touching detection.
 */
public interface FilterCompiler {

    /**
     * @throws IllegalArgumentException when the fingerprint cannot be expressed as a filter
     */
    Match.Cbpf compile(Prefix destination, Fingerprint fingerprint);
}

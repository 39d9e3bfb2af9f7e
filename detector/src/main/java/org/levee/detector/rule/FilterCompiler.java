package org.levee.detector.rule;

import org.levee.detector.fingerprint.Fingerprint;
import org.levee.detector.sample.Prefix;

/**
 * Turns a fingerprint into a filter matching it on packets to a destination. The detector only
 * knows this interface, so the way filters are generated (libpcap, the signatures module, direct
 * builders) can change without touching detection.
 */
public interface FilterCompiler {

    /**
     * @throws IllegalArgumentException when the fingerprint cannot be expressed as a filter
     */
    RuleFilter compile(Prefix destination, Fingerprint fingerprint);
}

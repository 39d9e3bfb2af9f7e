package org.levee.detector.rule;

/** What the data plane does with a packet a rule matches. */
public enum Action {
    /** Drop it: the fingerprint separates the flood from normal traffic. */
    DROP,
    /** Let through up to the rule's rate: nothing separates the flood well enough to drop. */
    RATELIMIT
}

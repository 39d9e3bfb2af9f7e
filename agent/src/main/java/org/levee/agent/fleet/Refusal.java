package org.levee.agent.fleet;

import java.util.Locale;
import org.levee.store.BadObjectException;

/**
 * Why an edge refused a published rule set (and kept the program it runs): the label of
 * {@code levee_ruleset_refused_total{reason}}.
 */
public enum Refusal {
    /** The manifest is not valid JSON or a field is missing or wrong. */
    MANIFEST,
    /**
     * The edge trusts signing keys and the manifest is not signed by one of them: no signature, a
     * malformed one, a key it does not trust, or a signature that does not verify.
     */
    SIGNATURE,
    /**
     * The edge trusts signing keys and the manifest, validly signed, has a lower version than the
     * set it runs: an old signed set written back (a replay). Versions only go up.
     */
    ROLLBACK,
    /** A chunk of the object is not in etcd. */
    MISSING_CHUNK,
    /** The object's chunks do not number what the manifest says. */
    CHUNK_COUNT,
    /** The object's size is not the manifest's. */
    SIZE,
    /** The object's SHA-256 is not the manifest's. */
    DIGEST,
    /** The object is not a rule-set object this Levee reads (not ELF, bad metadata, maps, patch sites). */
    OBJECT,
    /** The object's rules are not the manifest's list of rule ids. */
    RULES,
    /** The kernel refused the program (the verifier), or the swap failed. */
    LOAD;

    /** The metric's label: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The refusal for a store's complaint about an object. */
    static Refusal of(BadObjectException.Problem problem) {
        return switch (problem) {
            case MISSING_CHUNK -> MISSING_CHUNK;
            case CHUNK_COUNT -> CHUNK_COUNT;
            case SIZE -> SIZE;
            case DIGEST -> DIGEST;
        };
    }
}

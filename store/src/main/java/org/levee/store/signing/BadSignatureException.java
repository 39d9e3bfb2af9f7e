package org.levee.store.signing;

/**
 * A manifest an edge must not apply for want of a valid signature by a key it trusts. The message
 * names where the manifest was read (its etcd key or file), the field or the key, and what is
 * wrong; {@link #problem()} says which kind of failure it is.
 */
public final class BadSignatureException extends RuntimeException {
    /** What is wrong with the signature. */
    public enum Problem {
        /** The manifest has no {@code signature} field. */
        UNSIGNED,
        /** The {@code signature} field is not what a signer writes (a field missing or of the wrong form, not last). */
        MALFORMED,
        /** Signed by a key that is not trusted. */
        UNTRUSTED_KEY,
        /** The signature does not verify: the signed bytes were changed after signing (or forged). */
        MISMATCH
    }

    private final Problem problem;
    private final String where;

    public BadSignatureException(Problem problem, String where, String message) {
        super(message);
        this.problem = problem;
        this.where = where;
    }

    public Problem problem() {
        return problem;
    }

    /** Where the manifest was read: an etcd key or a file. */
    public String where() {
        return where;
    }
}

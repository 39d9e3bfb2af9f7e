package org.levee.store;

/**
 * A rule-set object in the store does not match its manifest: a chunk is missing, the sizes or the
 * digest disagree. The message names the object, the chunk or key, and both values; {@link
 * #problem()} is for metrics. An edge refuses such an object and keeps its running program.
 */
public final class BadObjectException extends RuntimeException {

    /** What is wrong with the object. */
    public enum Problem {
        /** A chunk the manifest counts is not in etcd (or the whole object is gone). */
        MISSING_CHUNK,
        /** The chunks do not number what the manifest says. */
        CHUNK_COUNT,
        /** The chunks' total size is not the manifest's. */
        SIZE,
        /** The chunks' SHA-256 is not the manifest's. */
        DIGEST
    }

    private final Problem problem;
    private final ObjectRef object;

    public BadObjectException(Problem problem, ObjectRef object, String message) {
        super(message);
        this.problem = problem;
        this.object = object;
    }

    public Problem problem() {
        return problem;
    }

    public ObjectRef object() {
        return object;
    }
}

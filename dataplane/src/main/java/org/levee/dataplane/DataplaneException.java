package org.levee.dataplane;

/** A data-plane operation that cannot be done, with what to do about it; the running program is untouched. */
public final class DataplaneException extends RuntimeException {
    public DataplaneException(String message) {
        super(message);
    }

    public DataplaneException(String message, Throwable cause) {
        super(message, cause);
    }
}

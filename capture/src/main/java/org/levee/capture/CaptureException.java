package org.levee.capture;

/** A capture cannot start or run: the message says why and what to do (one line for the CLI). */
public final class CaptureException extends RuntimeException {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}

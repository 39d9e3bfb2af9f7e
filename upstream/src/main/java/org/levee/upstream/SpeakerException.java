package org.levee.upstream;

/** The speaker could not be reached, refused a command, or answered something Levee cannot read. */
public final class SpeakerException extends RuntimeException {
    public SpeakerException(String message) {
        super(message);
    }

    public SpeakerException(String message, Throwable cause) {
        super(message, cause);
    }
}

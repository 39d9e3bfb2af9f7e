package org.levee.testing.fuzz;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An error a parser documents for bad input, and what its message promises: {@code message} must
 * be found in it (e.g. {@code "^at byte offset \\d+: \\S"} for a reader that promises the offset).
 * Subclasses of {@code type} count; the message is also refused when it is blank.
 *
 * @param type    the exception type
 * @param message a regular expression (searched with {@code find}, DOTALL) the message must contain
 */
public record DocumentedError(Class<? extends Throwable> type, Pattern message) {

    public DocumentedError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    public static DocumentedError of(Class<? extends Throwable> type, String messageRegex) {
        return new DocumentedError(type, Pattern.compile(messageRegex, Pattern.DOTALL));
    }

    /** True when {@code error} is of this type, whatever its message. */
    public boolean covers(Throwable error) {
        return type.isInstance(error);
    }

    /** Why the message of {@code error} (of this type) breaks the promise, or null when it keeps it. */
    public String problemWith(Throwable error) {
        String text = error.getMessage();
        if (text == null || text.isBlank()) {
            return "the message is empty";
        }
        if (!message.matcher(text).find()) {
            return "the message does not match /" + message.pattern() + "/";
        }
        return null;
    }

    @Override
    public String toString() {
        return type.getSimpleName() + " /" + message.pattern() + "/";
    }
}

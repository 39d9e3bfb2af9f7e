package org.levee.cli.common;

/** Bad input from the user: reported as one line, exit code 2, no stack trace. */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.levee.signatures;

/**
 * A pattern, signature or option that cannot become a filter. The message is one line that names
 * what is wrong and where (pattern number, label, field), ready to show to a user.
 */
public final class SignatureException extends IllegalArgumentException {
    public SignatureException(String message) {
        super(message);
    }
}

package org.levee.upstream;

/** Thrown inside the translation when a rule cannot go upstream as asked; the message is the reason. */
final class Untranslatable extends RuntimeException {
    Untranslatable(String reason) {
        super(reason, null, false, false);
    }
}

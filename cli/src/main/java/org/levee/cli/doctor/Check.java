package org.levee.cli.doctor;

import java.util.function.Supplier;

/** One named thing the doctor verifies; a failed required check makes the doctor exit 1. */
public record Check(String name, boolean required, Supplier<CheckResult> probe) {

    /** Runs the probe; an unexpected exception is a failure whose text is the exception's message. */
    public CheckResult run() {
        try {
            return probe.get();
        } catch (RuntimeException | LinkageError e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return CheckResult.fail(
                    message.lines().findFirst().orElse(message),
                    "see the message; `./levee doctor` again after fixing it");
        }
    }
}

package org.levee.cli.doctor;

/**
 * The outcome of one doctor check: {@code ok} with what was seen, a failure saying why and how to
 * fix it, or a note: something this machine lacks that Levee itself does not need (only the lab
 * does), said plainly and never counted as a failure.
 */
public record CheckResult(boolean ok, String detail, String fix, boolean note) {

    public static CheckResult ok(String detail) {
        return new CheckResult(true, detail, "", false);
    }

    public static CheckResult fail(String why, String fix) {
        return new CheckResult(false, why, fix, false);
    }

    /** Not a failure: {@code ok()} is true, the line says what is missing and what is done instead. */
    public static CheckResult note(String what) {
        return new CheckResult(true, what, "", true);
    }

    /** The line's text after the check's name: {@code ok (…)}, {@code note: …} or {@code FAIL: why — fix}. */
    public String render() {
        if (note) {
            return "note: " + detail;
        }
        if (ok) {
            return detail.isEmpty() ? "ok" : "ok (" + detail + ")";
        }
        return "FAIL: " + detail + " — " + fix;
    }
}

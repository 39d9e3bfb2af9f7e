package org.levee.cli.doctor;

/**
 * The outcome of one doctor check: {@code ok} with what was seen, or a failure saying why and
 * how to fix it.
 */
public record CheckResult(boolean ok, String detail, String fix) {

    public static CheckResult ok(String detail) {
        return new CheckResult(true, detail, "");
    }

    public static CheckResult fail(String why, String fix) {
        return new CheckResult(false, why, fix);
    }

    /** The line's text after the check's name: {@code ok (…)} or {@code FAIL: why — fix}. */
    public String render() {
        if (ok) {
            return detail.isEmpty() ? "ok" : "ok (" + detail + ")";
        }
        return "FAIL: " + detail + " — " + fix;
    }
}

package org.levee.lab.demo;

import java.util.Locale;

/**
 * The live table the demo prints once a second: legitimate delivered/sent, attack offered,
 * dropped at the edge, and the rules in force.
 */
public final class ConsoleTable {
    private static final String FORMAT = "%5s  %-13s  %13s  %12s  %12s  %s%n";

    private ConsoleTable() {}

    public static String header() {
        return String.format(
                Locale.ROOT, FORMAT, "t(s)", "attack", "legit dlv/sent", "offered/s", "dropped/s", "rules");
    }

    public static String row(Second s) {
        return String.format(
                Locale.ROOT,
                FORMAT,
                s.second(),
                s.attack().isEmpty() ? "-" : s.attack(),
                s.legitDelivered() + "/" + s.legitSent(),
                String.format(Locale.ROOT, "%,d", s.attackOffered()),
                String.format(Locale.ROOT, "%,d", s.dropped()),
                s.rules().isEmpty() ? "-" : String.join(" ", s.rules()));
    }
}

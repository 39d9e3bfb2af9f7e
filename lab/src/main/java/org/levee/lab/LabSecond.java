package org.levee.lab;

/**
 * One second of a lab run, as the console table shows it: which flood was on (null: none),
 * the legitimate requests sent in that second and what became of them, and the attack frames
 * offered by the generator and counted at the edge during it.
 */
public record LabSecond(
        int second, FloodKind flood, DeliveryCounts legit, long attackOffered, long attackAtEdge, long attackDropped) {
    /** The header line matching {@link #row()}. */
    public static String header() {
        return String.format(
                "%4s  %-13s  %9s  %9s  %6s  %14s  %14s  %14s",
                "s", "flood", "legit/s", "delivered", "lost", "attack sent/s", "at edge/s", "dropped/s");
    }

    /** One line of the table. */
    public String row() {
        return String.format(
                "%4d  %-13s  %,9d  %,9d  %,6d  %,14d  %,14d  %,14d",
                second,
                flood == null ? "-" : flood.id(),
                legit.sent(),
                legit.delivered(),
                legit.lost(),
                attackOffered,
                attackAtEdge,
                attackDropped);
    }
}

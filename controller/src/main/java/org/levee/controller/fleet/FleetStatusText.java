package org.levee.controller.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.controller.rules.Problem;
import org.levee.store.Registration;
import org.levee.store.RulesetManifest;
import org.levee.store.signing.ManifestSignature;

/**
 * The fleet status for people ({@code levee fleet status}):
 *
 * <pre>
 * leader:  ctl-a
 * ruleset: version 7, 3 rules, object 3fa2c1d4e5f6 (12345 bytes), compiled 2026-12-07T06:08:13Z by ctl-a, signed by key a1b2c3d4e5f60718
 * DATACENTER  NODE    VERSION  PROGRAM  APPLIED  LAST SEEN  STATE
 * ams1        edge-1        7     1234  12s ago  1s ago     current
 * fra1        edge-2        6     1200  1m4s ago 2s ago     lagging
 * sin1        edge-3        6     1201  1m4s ago 2s ago     refused (signature)
 * refused:
 *   sin1/edge-3: version 7, 3s ago: manifest at /levee/ruleset is signed by key …, which this edge does not trust …
 * problems: 1 rule left out
 *   /levee/rules/bad: filter: syntax error …
 * </pre>
 */
public final class FleetStatusText {
    private FleetStatusText() {}

    static final String[] HEADER = {"DATACENTER", "NODE", "VERSION", "PROGRAM", "APPLIED", "LAST SEEN", "STATE"};

    public static List<String> lines(FleetStatus s) {
        List<String> out = new ArrayList<>();
        out.add("leader:  " + s.leader().orElse("none"));
        if (s.ruleset().isPresent()) {
            RulesetManifest m = s.ruleset().get();
            out.add("ruleset: version " + m.version() + ", " + m.rules().size()
                    + (m.rules().size() == 1 ? " rule" : " rules")
                    + ", object " + m.object().shortSha() + " (" + m.object().size() + " bytes), compiled "
                    + m.compiledAt()
                    + " by " + m.controller()
                    + ManifestSignature.claimedBy(m)
                            .map(k -> ", signed by key " + k)
                            .orElse(", unsigned"));
        } else {
            out.add("ruleset: "
                    + s.rulesetProblem().map(p -> "not readable: " + p).orElse("none published"));
        }
        if (s.nodes().isEmpty()) {
            out.add("nodes:   none registered");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(HEADER);
            for (FleetStatus.Node n : s.nodes()) {
                String state = n.problem().isPresent()
                        ? "bad registration: " + n.problem().get()
                        : n.refused().isPresent()
                                ? "refused (" + n.refused().get().reason() + ")"
                                : s.current(n) ? "current" : "lagging";
                rows.add(new String[] {
                    n.datacenter(),
                    n.node(),
                    n.version() == 0 ? "-" : Long.toString(n.version()),
                    n.programId() == 0 ? "-" : Long.toString(n.programId()),
                    ago(n.applied(), s.at()),
                    ago(n.reported(), s.at()),
                    state
                });
            }
            out.addAll(table(rows));
            List<FleetStatus.Node> refusing = s.nodes().stream()
                    .filter(n -> n.problem().isEmpty() && n.refused().isPresent())
                    .toList();
            if (!refusing.isEmpty()) {
                out.add("refused:");
                for (FleetStatus.Node n : refusing) {
                    Registration.Refusal r = n.refused().get();
                    out.add("  " + n.datacenter() + "/" + n.node() + ": "
                            + (r.version() == 0 ? "" : "version " + r.version() + ", ")
                            + ago(Optional.of(r.at()), s.at()) + ": " + r.message());
                }
            }
        }
        if (s.problems().isEmpty()) {
            out.add("problems: none");
        } else {
            out.add("problems: " + s.problems().size() + (s.problems().size() == 1 ? " rule" : " rules") + " left out");
            for (Problem p : s.problems()) {
                out.add("  " + p);
            }
        }
        return out;
    }

    private static List<String> table(List<String[]> rows) {
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean number = (i == 2 || i == 3) && row != rows.getFirst();
                String cell = number
                        ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(widths[i] - row[i].length());
                line.append(cell).append(i + 1 < row.length ? "  " : "");
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** {@code 12s ago}, {@code 3m4s ago}, {@code -} when never. */
    static String ago(Optional<Instant> when, Instant now) {
        if (when.isEmpty()) {
            return "-";
        }
        long s = Math.max(0, Duration.between(when.get(), now).toSeconds());
        if (s < 60) {
            return s + "s ago";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s ago";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + s % 3600 / 60 + "m ago";
        }
        return s / 86_400 + "d" + s % 86_400 / 3600 + "h ago";
    }
}

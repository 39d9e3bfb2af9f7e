package org.levee.upstream;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The upstream side of a node or controller, as {@code GET /status} and the metrics show it.
 *
 * @param speaker          the speaker's API ({@code unix:///run/gobgpd/api.sock})
 * @param active           true while this process announces (a controller: while it leads)
 * @param standbyReason    why it does not, when not active ("" otherwise)
 * @param lastAttempt      when the last synchronisation began
 * @param lastSuccess      when the last one succeeded
 * @param lastError        the last one's error, if it failed
 * @param sessions         the speaker's neighbours and their session states, read at the last success
 * @param routes           routes announced at the last success, by family ({@code ipv4-flowspec}, …)
 * @param refused          the live rules whose request is refused now, with the reasons
 * @param synchronisations synchronisations attempted since start
 * @param failures         of those, the ones that failed
 * @param announcements    routes announced since start (new, or replaced with another action)
 * @param withdrawals      routes withdrawn since start (retired rules, leftovers)
 * @param refusals         refusals since start, each (rule, reason) counted once
 */
public record UpstreamStatus(
        String speaker,
        boolean active,
        String standbyReason,
        Optional<Instant> lastAttempt,
        Optional<Instant> lastSuccess,
        Optional<String> lastError,
        Map<String, String> sessions,
        Map<String, Integer> routes,
        List<Translation.Refused> refused,
        long synchronisations,
        long failures,
        long announcements,
        long withdrawals,
        long refusals) {

    public UpstreamStatus {
        Objects.requireNonNull(speaker, "speaker");
        Objects.requireNonNull(standbyReason, "standbyReason");
        Objects.requireNonNull(lastAttempt, "lastAttempt");
        Objects.requireNonNull(lastSuccess, "lastSuccess");
        Objects.requireNonNull(lastError, "lastError");
        sessions = Map.copyOf(sessions);
        routes = Map.copyOf(routes);
        refused = List.copyOf(refused);
    }

    /** True when the last synchronisation succeeded. */
    public boolean speakerUp() {
        return lastAttempt.isPresent() && lastError.isEmpty();
    }
}

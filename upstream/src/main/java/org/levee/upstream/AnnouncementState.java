package org.levee.upstream;

import java.util.List;
import java.util.Objects;

/**
 * Where one live rule's upstream request stands: what the policy decided and whether the speaker
 * announces it.
 *
 * @param decision the mode, its grounds and the translation
 * @param phase    announced, pending, refused, failed or standby
 * @param detail   what the phase means for this rule ("" when {@link Phase#ANNOUNCED}): the
 *                 refusal's reason, the speaker's error, why this process does not announce
 */
public record AnnouncementState(UpstreamDecision decision, Phase phase, String detail) {

    /** Where a rule's routes are. */
    public enum Phase {
        /** The speaker announced every route of the rule at the last synchronisation. */
        ANNOUNCED,
        /** Translated; announced at the next synchronisation (at once after a rule change). */
        PENDING,
        /** Nothing is announced for the rule: its translation was refused, {@code detail} says why. */
        REFUSED,
        /** The last synchronisation failed ({@code detail}: the speaker's error); retried every sync interval. */
        FAILED,
        /** This process does not announce now ({@code detail} says who does: the leading controller). */
        STANDBY;

        /** The word the API uses: {@code announced}, {@code pending}, … */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AnnouncementState {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(detail, "detail");
    }

    /** The routes the rule asks for (none when refused). */
    public List<? extends Route> routes() {
        return decision.translation() instanceof Translation.Translated ok ? ok.routes() : List.of();
    }
}

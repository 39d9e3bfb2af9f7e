package org.levee.upstream;

import java.util.Objects;
import org.levee.rules.UpstreamMode;

/**
 * What the policy decided for one live rule that goes upstream: the mode, on what grounds, and the
 * translation (its routes, or why there are none).
 *
 * @param ruleId      the rule
 * @param mode        how it goes upstream (for an automatic rule, the mode whose translation was
 *                    used: the first of {@code upstream.automatic} that was not refused, or the
 *                    first when every one was)
 * @param basis       why it goes upstream at all
 * @param why         the same in words, for people ({@code the attack's 8.1 Gbit/s reached …})
 * @param translation the routes, or the reason there are none
 */
public record UpstreamDecision(String ruleId, UpstreamMode mode, Basis basis, String why, Translation translation) {

    /** Why a rule goes upstream. */
    public enum Basis {
        /** The rule's own {@code upstream} field: {@code --upstream}, the API, a rule file. */
        REQUESTED,
        /** {@code upstream.rules.<id>} in the configuration. */
        CONFIGURED,
        /** The detector's attack reached {@code upstream.share × upstream.link_bps}. */
        AUTOMATIC;

        /** The word the API uses: {@code requested}, {@code configured}, {@code automatic}. */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public UpstreamDecision {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(why, "why");
        Objects.requireNonNull(translation, "translation");
    }

    /** True when nothing is announced for the rule. */
    public boolean refused() {
        return translation instanceof Translation.Refused;
    }
}

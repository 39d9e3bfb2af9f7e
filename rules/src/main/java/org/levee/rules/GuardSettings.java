package org.levee.rules;

import java.util.List;
import java.util.Objects;

/**
 * How the {@link RuleGuard} is configured ({@code guard:} in the agent's and the controller's
 * configuration; docs/configuration.md).
 *
 * @param protectedEndpoints endpoints protected in addition to the defaults
 * @param protectDefaults    whether the defaults (the node's API, etcd, TCP 22 on any address)
 *                           are protected too
 * @param maxLegitimateShare the largest share (0..1) of the last minute's legitimate traffic,
 *                           outside its own destinations, that a rule may match
 */
public record GuardSettings(
        List<ProtectedEndpoint> protectedEndpoints, boolean protectDefaults, double maxLegitimateShare) {

    /** 1 %. */
    public static final double DEFAULT_MAX_LEGITIMATE_SHARE = 0.01;

    public GuardSettings {
        protectedEndpoints = List.copyOf(protectedEndpoints);
        if (!(maxLegitimateShare >= 0 && maxLegitimateShare <= 1)) {
            throw new IllegalArgumentException("max_legitimate_share must be in 0..1, not " + maxLegitimateShare);
        }
    }

    /** The defaults protected, nothing more, 1 %. */
    public static GuardSettings defaults() {
        return new GuardSettings(List.of(), true, DEFAULT_MAX_LEGITIMATE_SHARE);
    }

    /** {@code defaults} (when {@link #protectDefaults}) followed by the configured endpoints. */
    public List<ProtectedEndpoint> endpoints(List<ProtectedEndpoint> defaults) {
        Objects.requireNonNull(defaults, "defaults");
        List<ProtectedEndpoint> all = new java.util.ArrayList<>(protectDefaults ? defaults : List.of());
        all.addAll(protectedEndpoints);
        return List.copyOf(all);
    }
}

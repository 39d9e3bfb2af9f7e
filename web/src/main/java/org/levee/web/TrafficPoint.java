package org.levee.web;

import java.util.Objects;

/**
 * One point of the traffic history: the rates measured over the second before {@code epochMillis}.
 *
 * @param epochMillis when, in milliseconds since the epoch
 * @param rates       packets per second
 */
public record TrafficPoint(long epochMillis, TrafficRates rates) {
    public TrafficPoint {
        Objects.requireNonNull(rates, "rates");
    }
}

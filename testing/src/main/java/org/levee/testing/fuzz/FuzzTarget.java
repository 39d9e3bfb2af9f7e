package org.levee.testing.fuzz;

/**
 * What a family does with one input: parse it the way production code does, and check whatever
 * must hold for an accepted input (a round trip, an invariant, a second opinion). Returning
 * normally means "accepted"; throwing one of the family's {@link DocumentedError}s means
 * "rejected"; anything else, an {@link AssertionError} included, is a crash.
 *
 * @param <I> the input type ({@code byte[]} or {@code String})
 */
@FunctionalInterface
public interface FuzzTarget<I> {
    void run(I input) throws Exception;
}

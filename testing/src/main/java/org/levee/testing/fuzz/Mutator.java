package org.levee.testing.fuzz;

import java.util.SplittableRandom;

/**
 * Turns a valid input into a probably invalid one. A mutator never changes its arguments: it
 * returns a new value (or {@code input} itself when it has nothing to do).
 *
 * @param <I> the input type
 */
@FunctionalInterface
public interface Mutator<I> {
    /**
     * One round of mutation of {@code input}; {@code other} is another input of the corpus, for
     * operations that splice two inputs.
     */
    I mutate(I input, I other, SplittableRandom random);
}

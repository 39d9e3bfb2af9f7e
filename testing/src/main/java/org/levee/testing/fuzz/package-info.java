/**
 * A seeded mutation fuzzer for Levee's parsers, in plain JUnit: a {@link org.levee.testing.fuzz.FuzzFamily}
 * names a parser, its seed corpus and the error type(s) it documents for bad input;
 * {@link org.levee.testing.fuzz.FuzzRunner} mutates the corpus ({@link org.levee.testing.fuzz.ByteMutator},
 * {@link org.levee.testing.fuzz.TextMutator}), runs every input and classifies it as accepted,
 * rejected (the documented error with a message that says what and where) or a
 * {@link org.levee.testing.fuzz.Crash}: any other exception or error, a message that does not say
 * what it promises, more than the time limit on one input, or retained heap that grows with the
 * number of inputs ({@link org.levee.testing.fuzz.HeapTrend}). The outcome is a
 * {@link org.levee.testing.fuzz.FuzzReport}.
 *
 * <p>JDK and JUnit only: every module's tests can use it without pulling anything in.
 */
package org.levee.testing.fuzz;

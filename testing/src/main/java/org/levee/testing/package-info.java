/** What every module's tests share: what a test needs from the machine ({@link org.levee.testing.Requirements}); the fuzzing harness is in {@link org.levee.testing.fuzz}. */
package org.levee.testing;

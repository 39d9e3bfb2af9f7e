/** What every module's tests share: what a test needs from the machine ({@link org.levee.testing.Requirements}). */
package org.levee.testing;

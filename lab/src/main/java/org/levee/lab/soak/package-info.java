/** {@code levee soak}: one node under a repeating workload for a long time, checked for leaks and lost rules or counts. */
package org.levee.lab.soak;

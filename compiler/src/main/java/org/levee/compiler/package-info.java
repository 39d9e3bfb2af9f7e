/**
 * cBPF to eBPF fragments (and to C), with bounds-check elimination.
 */
package org.levee.compiler;

package org.levee.ebpf;

/**
 * Output of {@code BPF_PROG_TEST_RUN}: the program's return value (for XDP the action), the
 * packet as the program left it, and the kernel's mean duration of one run in nanoseconds.
 */
public record TestRunResult(int returnValue, byte[] dataOut, long durationNanos) {}

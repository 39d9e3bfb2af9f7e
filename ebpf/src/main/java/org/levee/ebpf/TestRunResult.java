package org.levee.ebpf;

import java.util.Arrays;

/**
 * Output of {@code BPF_PROG_TEST_RUN}: the program's return value (for XDP the action), the
 * packet as the program left it, and the kernel's mean duration of one run in nanoseconds.
 */
public record TestRunResult(int returnValue, byte[] dataOut, long durationNanos) {
    @Override
    public boolean equals(Object o) {
        return o instanceof TestRunResult r
                && r.returnValue == returnValue
                && r.durationNanos == durationNanos
                && Arrays.equals(r.dataOut, dataOut);
    }

    @Override
    public int hashCode() {
        return (31 * returnValue + Arrays.hashCode(dataOut)) * 31 + Long.hashCode(durationNanos);
    }

    @Override
    public String toString() {
        return "TestRunResult[returnValue=" + returnValue + ", dataOut=" + dataOut.length + " bytes, durationNanos="
                + durationNanos + "]";
    }
}

package org.levee.ebpf;

import org.levee.ebpf.internal.Libc;

/**
 * Binds the calling platform thread to CPUs ({@code sched_setaffinity}): benchmarks and the lab
 * place senders and receivers on CPUs of their own, since where a softirq or a sender runs
 * decides what a packet costs and who pays.
 */
public final class ThreadAffinity {
    private ThreadAffinity() {}

    /** Runs the calling thread only on {@code cpus} from now on; throws when none of them exists. */
    public static void pin(int... cpus) {
        if (cpus.length == 0) {
            throw new IllegalArgumentException("no CPU to pin the thread to");
        }
        Libc.pinCallingThread(cpus);
    }
}

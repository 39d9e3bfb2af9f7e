package org.levee.ebpf;

import org.levee.ebpf.internal.Libc;

/**
 * Binds threads to CPUs ({@code sched_setaffinity}): benchmarks and the lab
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

    /** Runs thread {@code tid} (any thread of the host, a kernel thread too) only on {@code cpus} from now on. */
    public static void pinThread(int tid, int... cpus) {
        if (tid <= 0) {
            throw new IllegalArgumentException("thread id " + tid + " is not a thread");
        }
        if (cpus.length == 0) {
            throw new IllegalArgumentException("no CPU to pin thread " + tid + " to");
        }
        Libc.setAffinity(tid, cpus);
    }
}

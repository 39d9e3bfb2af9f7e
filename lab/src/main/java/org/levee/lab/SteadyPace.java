package org.levee.lab;

import java.util.concurrent.locks.LockSupport;

/**
 * A fixed schedule of turns at a steady rate for the legitimate clients' senders. If the sender
 * falls more than {@value #MAX_LAG_MILLIS} ms behind (a starved CPU) the schedule skips ahead
 * instead of bursting: the turns it skipped are simply not taken.
 */
final class SteadyPace {
    static final int MAX_LAG_MILLIS = 100;

    private final long periodNanos;
    private long next;

    /** Turns every 1/{@code perSecond} s, the first one now. */
    SteadyPace(long perSecond) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("pace must be positive, got " + perSecond + " per second");
        }
        this.periodNanos = 1_000_000_000L / perSecond;
        this.next = System.nanoTime();
    }

    /**
     * True when a turn is due (and books the next one); otherwise parks until the turn is due or
     * the thread is woken, and returns false, so that the caller can check whether to go on
     * before asking again.
     */
    boolean turn() {
        long wait = next - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
            return false;
        }
        if (-wait > MAX_LAG_MILLIS * 1_000_000L) {
            next = System.nanoTime();
        }
        next += periodNanos;
        return true;
    }
}

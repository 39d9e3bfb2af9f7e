package org.levee.store.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests for something that happens on another thread or in another process. */
public final class Eventually {
    private Eventually() {}

    /**
     * Waits until {@code condition} holds; returns how long that took.
     *
     * @throws AssertionError with {@code what} and the waited time when it does not hold in time
     */
    public static Duration await(Duration timeout, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Like {@link #await(Duration, String, BooleanSupplier)}, the message computed when it fails (state at that moment). */
    public static Duration await(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        try {
            return await(timeout, "", condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + what.get(), e.getCause());
        }
    }
}

package org.levee.ebpf.internal;

/**
 * An owned file descriptor: closed exactly once, and unusable after that (using a closed fd
 * number could silently hit another object that reused the number).
 */
public final class Fd implements AutoCloseable {
    private final String what;
    private volatile int value;

    public Fd(int value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException("invalid fd " + value + " for " + what);
        }
        this.value = value;
        this.what = what;
    }

    /** The fd number; throws when closed. */
    public int get() {
        int v = value;
        if (v < 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return v;
    }

    public boolean isOpen() {
        return value >= 0;
    }

    @Override
    public synchronized void close() {
        if (value >= 0) {
            Libc.close(value);
            value = -1;
        }
    }

    @Override
    public String toString() {
        return what + (value >= 0 ? " (fd " + value + ")" : " (closed)");
    }
}

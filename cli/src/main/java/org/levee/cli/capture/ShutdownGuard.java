package org.levee.cli.capture;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.levee.capture.CaptureSession;

/**
 * Turns Ctrl-C and SIGTERM into a stop request for a capture, through a JVM shutdown hook. The
 * hook asks the capture to stop and waits for the capturing thread to close it (which empties
 * the hook slots and ends the file on a whole block); if that takes longer than the grace
 * period, the hook empties the slots itself so the data plane is never left with them.
 *
 * <p>Create it before the capture programs go into the hook, so a signal that arrives while
 * they are being installed still removes them; close it when the capture is closed.
 */
final class ShutdownGuard implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stopRequested;
    private volatile CaptureSession session;

    ShutdownGuard(Duration grace) {
        this.hook = new Thread(
                () -> {
                    stopRequested = true;
                    try {
                        if (!finished.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                            detach();
                        }
                    } catch (InterruptedException e) {
                        detach();
                    }
                },
                "levee-capture-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The session whose slots to empty if the capturing thread does not finish in time. */
    void guard(CaptureSession running) {
        this.session = running;
    }

    /** True once a signal asked the capture to stop. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Call after the session is closed: the shutdown hook then has nothing left to wait for. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting because of a signal: the hook is running and sees finished
        }
    }

    private void detach() {
        CaptureSession s = session;
        if (s != null) {
            s.detach();
        }
    }
}

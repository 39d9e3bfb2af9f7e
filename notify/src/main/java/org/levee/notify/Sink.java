package org.levee.notify;

/**
 * Where a notification goes. A sink is called by one thread of its own ({@link Notifier}), one
 * notification at a time, and may take its time: it never runs on the thread that reported the event.
 */
public sealed interface Sink permits CommandSink, WebhookSink {

    /** Its name in metrics and logs: {@code command}, {@code webhook[0]}, …; never a secret. */
    String name();

    /** What it is, for logs: the command's program, the webhook's scheme, host and port (never its path). */
    String describe();

    /**
     * Delivers {@code json}, the JSON of {@code n}: returns when it was delivered or given up.
     *
     * @throws InterruptedException when the notifier stops meanwhile (what was started is stopped)
     */
    Delivery deliver(Notification n, byte[] json) throws InterruptedException;

    /** Releases what the sink holds (an HTTP client). */
    default void close() {}
}

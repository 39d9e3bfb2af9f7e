/**
 * Notifications: {@link org.levee.notify.Notification} (one event, with the evidence the API
 * shows), its JSON ({@link org.levee.notify.NotificationJson}), the sinks that carry it
 * ({@link org.levee.notify.CommandSink}: a command with the JSON on its standard input;
 * {@link org.levee.notify.WebhookSink}: an HTTP POST, retried with backoff) and the
 * {@link org.levee.notify.Notifier}, which queues each event for every sink on a thread of the
 * sink's own: offering never blocks, a full queue drops its oldest event and counts it.
 * docs/operations.md ("Notifications") is the operator's view.
 */
package org.levee.notify;

package org.levee.notify;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code notifications:} section of the agent's and the controller's configuration
 * (docs/configuration.md): where notifications go and which events are sent.
 *
 * @param command a command and its arguments (no shell), run once per event with the JSON on its
 *     standard input; empty for none
 * @param webhooks URLs the JSON is POSTed to
 * @param timeout how long a command may run, and how long one POST may take
 * @param retries how many times a POST that failed (no answer, 5xx, 408, 429) is tried again
 * @param events the events sent; the others are not
 * @param queue events waiting per sink; when full, the oldest is dropped and counted
 * @param nodeLostAfter (controller) how long an edge's registration must stay gone before it is
 *     reported lost: an edge restarting within this time is not
 */
public record NotificationsConfig(
        List<String> command,
        List<Webhook> webhooks,
        Duration timeout,
        int retries,
        Set<EventKind> events,
        int queue,
        Duration nodeLostAfter) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRIES = 3;
    public static final int DEFAULT_QUEUE = 1000;
    public static final Duration DEFAULT_NODE_LOST_AFTER = Duration.ofSeconds(30);

    public NotificationsConfig {
        command = List.copyOf(command);
        webhooks = List.copyOf(webhooks);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        events = events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
        if (queue < 1) {
            throw new IllegalArgumentException("queue must be at least 1");
        }
        Objects.requireNonNull(nodeLostAfter, "nodeLostAfter");
    }

    /** No command, no webhook: nothing is sent. */
    public static NotificationsConfig none() {
        return new NotificationsConfig(
                List.of(),
                List.of(),
                DEFAULT_TIMEOUT,
                DEFAULT_RETRIES,
                EnumSet.allOf(EventKind.class),
                DEFAULT_QUEUE,
                DEFAULT_NODE_LOST_AFTER);
    }

    /** True when there is somewhere to send to. */
    public boolean enabled() {
        return !command.isEmpty() || !webhooks.isEmpty();
    }

    /** True when events of {@code kind} are sent somewhere. */
    public boolean wants(EventKind kind) {
        return enabled() && events.contains(kind);
    }

    public NotificationsConfig withCommand(List<String> value) {
        return new NotificationsConfig(value, webhooks, timeout, retries, events, queue, nodeLostAfter);
    }

    public NotificationsConfig withWebhooks(List<Webhook> value) {
        return new NotificationsConfig(command, value, timeout, retries, events, queue, nodeLostAfter);
    }

    public NotificationsConfig withTimeout(Duration value) {
        return new NotificationsConfig(command, webhooks, value, retries, events, queue, nodeLostAfter);
    }

    public NotificationsConfig withRetries(int value) {
        return new NotificationsConfig(command, webhooks, timeout, value, events, queue, nodeLostAfter);
    }

    public NotificationsConfig withEvents(Set<EventKind> value) {
        return new NotificationsConfig(command, webhooks, timeout, retries, value, queue, nodeLostAfter);
    }

    public NotificationsConfig withQueue(int value) {
        return new NotificationsConfig(command, webhooks, timeout, retries, events, value, nodeLostAfter);
    }

    public NotificationsConfig withNodeLostAfter(Duration value) {
        return new NotificationsConfig(command, webhooks, timeout, retries, events, queue, value);
    }

    /**
     * One webhook: an http or https URL, headers sent with every POST (an {@code Authorization}
     * token, say), and its own timeout and retries (empty: the section's).
     */
    public record Webhook(
            URI url,
            Map<String, String> headers,
            java.util.Optional<Duration> timeout,
            java.util.Optional<Integer> retries) {
        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(retries, "retries");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "'" + redact(url) + "' is not an http:// or https:// URL with a host");
            }
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        public Webhook(URI url) {
            this(url, Map.of());
        }

        public Webhook(URI url, Map<String, String> headers) {
            this(url, headers, java.util.Optional.empty(), java.util.Optional.empty());
        }

        /**
         * The URL without path, query or user: {@code https://hooks.example.com:443}. Logs, metrics
         * and errors show this only, since chat webhooks carry their secret in the path.
         */
        public String redacted() {
            return redact(url);
        }

        private static String redact(URI url) {
            return url.getScheme() + "://" + (url.getHost() == null ? "?" : url.getHost())
                    + (url.getPort() < 0 ? "" : ":" + url.getPort());
        }

        @Override
        public String toString() {
            return "Webhook[" + redacted() + ", headers " + headers.keySet() + "]";
        }
    }
}

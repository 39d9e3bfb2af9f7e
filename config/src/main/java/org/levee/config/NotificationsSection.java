package org.levee.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.levee.notify.EventKind;
import org.levee.notify.NotificationsConfig;
import org.levee.rules.YamlTrees;

/**
 * The {@code notifications:} section of the agent's and the controller's configuration
 * (docs/configuration.md, docs/operations.md "Notifications"):
 *
 * <pre>
 * notifications:
 *   command: [/usr/local/bin/page-oncall, --team, netops]   # or one string: a program without arguments
 *   webhooks:
 *     - url: https://hooks.example.com/services/T000/B000/XXXX
 *       timeout: 5s        # this webhook's own; else the section's
 *       retries: 3
 *       headers: {Authorization: Bearer abc}
 *   timeout: 5s            # a command's run, one POST
 *   retries: 3             # POSTs tried again after the first fails
 *   events: [attack_detected, rule_added, rule_retired, attack_ended, node_lost, ruleset_refused]
 *   queue: 1000            # events waiting per destination; the oldest is dropped when full
 *   node_lost_after: 30s   # controller: how long a registration stays gone before its edge is lost
 * </pre>
 */
public final class NotificationsSection {
    private NotificationsSection() {}

    /** The keys of the section. */
    public static final Set<String> KEYS =
            Set.of("command", "webhooks", "timeout", "retries", "events", "queue", "node_lost_after");
    /** The keys of one webhook. */
    public static final Set<String> WEBHOOK_KEYS = Set.of("url", "timeout", "retries", "headers");

    /** The section in {@code node} (null when absent); problems go to {@code r} under {@code path}. */
    public static NotificationsConfig read(ConfigReader r, JsonNode node, String path) {
        NotificationsConfig c = NotificationsConfig.none();
        if (node == null || node.isNull() || !r.mapping(node, path, KEYS)) {
            return c;
        }
        Duration timeout = r.duration(node, path + ".timeout", "timeout", c.timeout());
        if (timeout.isZero() || timeout.isNegative()) {
            r.problem(path + ".timeout", "must be positive");
            timeout = c.timeout();
        }
        Long retries = r.number(node, path + ".retries", "retries", 0, 100);
        Long queue = r.number(node, path + ".queue", "queue", 1, 1_000_000);
        Duration lostAfter = r.duration(node, path + ".node_lost_after", "node_lost_after", c.nodeLostAfter());
        c = c.withTimeout(timeout)
                .withRetries(retries == null ? c.retries() : retries.intValue())
                .withQueue(queue == null ? c.queue() : queue.intValue())
                .withNodeLostAfter(lostAfter);
        c = c.withCommand(command(r, node.get("command"), path + ".command"));
        c = c.withWebhooks(webhooks(r, node.get("webhooks"), path + ".webhooks", c));
        JsonNode events = node.get("events");
        if (events != null && !events.isNull()) {
            c = c.withEvents(events(r, events, path + ".events"));
        }
        return c;
    }

    private static List<String> command(ConfigReader r, JsonNode v, String path) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isTextual()) {
            if (v.asText().isBlank()) {
                r.problem(path, "must name a program");
                return List.of();
            }
            return List.of(v.asText());
        }
        if (!v.isArray() || v.isEmpty()) {
            r.problem(path, "must be a program, or a list of the program and its arguments");
            return List.of();
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode a = v.get(i);
            if (!a.isValueNode() || a.isNull() || (i == 0 && a.asText().isBlank())) {
                r.problem(
                        path + "[" + i + "]", i == 0 ? "must name a program" : "must be a single value (an argument)");
                return List.of();
            }
            args.add(a.asText());
        }
        return args;
    }

    private static List<NotificationsConfig.Webhook> webhooks(
            ConfigReader r, JsonNode v, String path, NotificationsConfig section) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            r.problem(path, "must be a list of webhooks ({url: https://…})");
            return List.of();
        }
        List<NotificationsConfig.Webhook> hooks = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode h = v.get(i);
            if (h.isTextual()) {
                url(r, h.asText(), at).ifPresent(u -> hooks.add(new NotificationsConfig.Webhook(u, Map.of())));
                continue;
            }
            if (!r.mapping(h, at, WEBHOOK_KEYS)) {
                continue;
            }
            String text = r.string(h, at + ".url", "url", null);
            if (text == null) {
                r.problem(at + ".url", "missing: the URL to POST to");
                continue;
            }
            Duration timeout = r.duration(h, at + ".timeout", "timeout", null);
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                r.problem(at + ".timeout", "must be positive");
                timeout = null;
            }
            Long retries = r.number(h, at + ".retries", "retries", 0, 100);
            Map<String, String> headers = headers(r, h.get("headers"), at + ".headers");
            Duration t = timeout;
            url(r, text, at + ".url")
                    .ifPresent(u -> hooks.add(new NotificationsConfig.Webhook(
                            u,
                            headers,
                            java.util.Optional.ofNullable(t),
                            java.util.Optional.ofNullable(retries).map(Long::intValue))));
        }
        return hooks;
    }

    private static java.util.Optional<URI> url(ConfigReader r, String text, String path) {
        try {
            URI u = new URI(text);
            new NotificationsConfig.Webhook(u, Map.of());
            return java.util.Optional.of(u);
        } catch (URISyntaxException e) {
            r.problem(path, "not a URL: " + e.getReason());
        } catch (IllegalArgumentException e) {
            r.problem(path, e.getMessage());
        }
        return java.util.Optional.empty();
    }

    private static Map<String, String> headers(ConfigReader r, JsonNode v, String path) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return headers;
        }
        if (!v.isObject()) {
            r.problem(path, "must be a mapping of header names to values");
            return headers;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String name = e.getKey();
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                r.problem(path + "." + YamlTrees.keyName(name), "is not an HTTP header name");
                continue;
            }
            if (Set.of("content-type", "content-length", "host", "connection", "expect", "upgrade")
                    .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                r.problem(
                        path + "." + YamlTrees.keyName(name),
                        "is set by Levee (or by HTTP itself), not by the configuration");
                continue;
            }
            JsonNode value = e.getValue();
            if (!value.isValueNode()
                    || value.isNull()
                    || value.asText().chars().anyMatch(ch -> ch < 0x20 && ch != '\t' || ch == 0x7f)) {
                r.problem(path + "." + YamlTrees.keyName(name), "must be a single value on one line");
                continue;
            }
            headers.put(name, value.asText());
        }
        return headers;
    }

    private static Set<EventKind> events(ConfigReader r, JsonNode v, String path) {
        if (!v.isArray()) {
            r.problem(path, "must be a list of events (" + EventKind.names() + ")");
            return EnumSet.allOf(EventKind.class);
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        for (int i = 0; i < v.size(); i++) {
            try {
                kinds.add(EventKind.parse(v.get(i).asText()));
            } catch (IllegalArgumentException e) {
                r.problem(path + "[" + i + "]", e.getMessage());
            }
        }
        return kinds;
    }
}

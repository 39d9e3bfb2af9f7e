package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.levee.notify.EventKind;
import org.levee.notify.NotificationsConfig;

class NotificationsSectionTest {

    private static NotificationsConfig read(String yaml) {
        ConfigReader r = new ConfigReader();
        NotificationsConfig c = NotificationsSection.read(
                r, ConfigReader.parseYaml("c.yaml", yaml).get("notifications"), "notifications");
        r.throwIfProblems("c.yaml");
        return c;
    }

    @Test
    void absentSendsNothing() {
        NotificationsConfig c = read("node: x\n");
        assertThat(c.enabled()).isFalse();
        assertThat(c).isEqualTo(NotificationsConfig.none());
    }

    @Test
    void readsEveryKey() {
        NotificationsConfig c = read("""
                notifications:
                  command: [/usr/local/bin/page, --team, netops]
                  webhooks:
                    - url: https://hooks.example.com/services/T0/B0/SECRET
                      timeout: 2s
                      retries: 5
                      headers: {Authorization: Bearer abc, X-Team: 7}
                    - http://127.0.0.1:8080/levee
                  timeout: 3s
                  retries: 1
                  events: [attack_detected, rule_added, node_lost]
                  queue: 50
                  node_lost_after: 1m
                """);
        assertThat(c.command()).containsExactly("/usr/local/bin/page", "--team", "netops");
        assertThat(c.webhooks())
                .containsExactly(
                        new NotificationsConfig.Webhook(
                                URI.create("https://hooks.example.com/services/T0/B0/SECRET"),
                                Map.of("Authorization", "Bearer abc", "X-Team", "7"),
                                Optional.of(Duration.ofSeconds(2)),
                                Optional.of(5)),
                        new NotificationsConfig.Webhook(URI.create("http://127.0.0.1:8080/levee")));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.retries()).isEqualTo(1);
        assertThat(c.events())
                .isEqualTo(EnumSet.of(EventKind.ATTACK_DETECTED, EventKind.RULE_ADDED, EventKind.NODE_LOST));
        assertThat(c.queue()).isEqualTo(50);
        assertThat(c.nodeLostAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.wants(EventKind.RULE_RETIRED)).isFalse();
        // A chat webhook's secret is in its path: never shown.
        assertThat(c.webhooks().getFirst().toString()).doesNotContain("SECRET").contains("https://hooks.example.com");
        assertThat(read("notifications:\n  command: /bin/true\n").command()).isEqualTo(List.of("/bin/true"));
    }

    @Test
    void everyProblemNamesItsKey() {
        assertThatThrownBy(() -> read("""
                notifications:
                  command: []
                  webhooks:
                    - url: ftp://example.com/x
                    - {timeout: 2s}
                    - url: https://example.com/SECRET
                      retries: -1
                      headers: {Content-Type: text/plain, "bad name": x}
                      tls: yes
                  timeout: 0s
                  events: [attack_detected, rule_made]
                  queue: 0
                  commands: x
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContainingAll(
                        "notifications.command: must be a program, or a list of the program and its arguments",
                        "notifications.webhooks[0].url: 'ftp://example.com' is not an http:// or https:// URL with a host",
                        "notifications.webhooks[1].url: missing: the URL to POST to",
                        "notifications.webhooks[2].retries: must be a whole number in 0..100, not '-1'",
                        "notifications.webhooks[2].headers.Content-Type: is set by Levee",
                        "notifications.webhooks[2].headers.\"bad name\": is not an HTTP header name",
                        "notifications.webhooks[2].tls: unknown key (known here: headers, retries, timeout, url)",
                        "notifications.timeout: must be positive",
                        "notifications.events[1]: unknown event 'rule_made' (attack_detected, rule_added, rule_retired, attack_ended, node_lost, ruleset_refused)",
                        "notifications.queue: must be a whole number in 1..1000000, not '0'",
                        "notifications.commands: unknown key")
                .message()
                .doesNotContain("SECRET");
    }
}

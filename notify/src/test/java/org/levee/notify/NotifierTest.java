package org.levee.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.notify.testing.Receiver;
import org.levee.notify.testing.RecordingScript;

class NotifierTest {
    private static final Set<EventKind> ALL = EnumSet.allOf(EventKind.class);

    @TempDir
    Path dir;

    private static Notification event(int n) {
        return Events.random(new SplittableRandom(n), EventKind.values()[n % EventKind.values().length], n);
    }

    private static WebhookSink hook(Receiver r, Duration timeout, int retries) {
        return new WebhookSink(
                "webhook[0]",
                new NotificationsConfig.Webhook(r.url(), Map.of("Authorization", "Bearer t0k")),
                timeout,
                retries,
                Duration.ofMillis(20));
    }

    @Test
    void theCommandAndTheWebhookGetTheSameJsonInOrder() throws Exception {
        RecordingScript script = RecordingScript.in(dir);
        try (Receiver receiver = Receiver.start();
                Notifier notifier = new Notifier(
                        List.of(
                                new CommandSink(script.command(), Duration.ofSeconds(5)),
                                hook(receiver, Duration.ofSeconds(5), 0)),
                        ALL,
                        100)) {
            List<Notification> sent = new ArrayList<>();
            List<CompletableFuture<Map<String, Notifier.Outcome>>> outcomes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Notification n = event(i);
                sent.add(n);
                CompletableFuture<Map<String, Notifier.Outcome>> f = new CompletableFuture<>();
                notifier.offer(n, f::complete);
                outcomes.add(f);
            }
            for (CompletableFuture<Map<String, Notifier.Outcome>> f : outcomes) {
                assertThat(f.get(30, TimeUnit.SECONDS))
                        .isEqualTo(Map.of(
                                "command", Notifier.Outcome.DELIVERED, "webhook[0]", Notifier.Outcome.DELIVERED));
            }
            List<String> expected =
                    sent.stream().map(n -> NotificationJson.write(n).toString()).toList();
            assertThat(script.received()).map(JsonNode::toString).isEqualTo(expected);
            assertThat(receiver.delivered()).map(JsonNode::toString).isEqualTo(expected);
            assertThat(script.environments())
                    .isEqualTo(sent.stream()
                            .map(n -> n.kind().keyword() + " " + n.id())
                            .toList());
            Receiver.Request first = receiver.requests().getFirst();
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.path()).isEqualTo("/hooks/T0SECRET/levee");
            assertThat(first.header("Content-Type")).isEqualTo("application/json");
            assertThat(first.header("Authorization")).isEqualTo("Bearer t0k");
            assertThat(first.header("X-Levee-Event"))
                    .isEqualTo(sent.getFirst().kind().keyword());
            assertThat(first.header("X-Levee-Event-Id"))
                    .isEqualTo(sent.getFirst().id());
            assertThat(notifier.stats())
                    .containsExactly(
                            new Notifier.SinkStats("command", 6, 0, 0), new Notifier.SinkStats("webhook[0]", 6, 0, 0));
        }
    }

    @Test
    void aWebhookAnswering503IsTriedAgainUntilItTakesIt() throws Exception {
        try (Receiver receiver = Receiver.start()) {
            receiver.answer(503, 429);
            WebhookSink sink = hook(receiver, Duration.ofSeconds(5), 3);
            Notification n = event(1);
            Delivery d = sink.deliver(n, NotificationJson.toBytes(n));
            sink.close();
            assertThat(d.delivered()).isTrue();
            assertThat(d.attempts()).isEqualTo(3);
            assertThat(receiver.requests()).extracting(Receiver.Request::status).containsExactly(503, 429, 200);
            // The same event each time: a receiver can drop what it has seen by its id.
            assertThat(receiver.requests())
                    .extracting(r -> r.header("X-Levee-Event-Id"))
                    .containsOnly(n.id());
        }
    }

    @Test
    void aWebhookRefusing404IsNotTriedAgain() throws Exception {
        try (Receiver receiver = Receiver.start()) {
            receiver.answer(404);
            WebhookSink sink = hook(receiver, Duration.ofSeconds(5), 3);
            Delivery d = sink.deliver(event(2), NotificationJson.toBytes(event(2)));
            sink.close();
            assertThat(d.delivered()).isFalse();
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.detail()).startsWith("HTTP 404: answer 404 (not tried again");
        }
    }

    @Test
    void aDeadWebhookIsRetriedThenGivenUpWithoutBlockingTheOfferOrTheCommand() throws Exception {
        RecordingScript script = RecordingScript.in(dir);
        try (Receiver receiver = Receiver.start()) {
            receiver.hang(true);
            // 2 retries of 300 ms: each event takes the webhook about a second to give up.
            Notifier notifier = new Notifier(
                    List.of(
                            new CommandSink(script.command(), Duration.ofSeconds(5)),
                            hook(receiver, Duration.ofMillis(300), 2)),
                    ALL,
                    100);
            List<CompletableFuture<Map<String, Notifier.Outcome>>> outcomes = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Map<String, Notifier.Outcome>> f = new CompletableFuture<>();
                notifier.offer(event(i), f::complete);
                outcomes.add(f);
            }
            long offerMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(offerMillis)
                    .as("offering 3 events to a webhook that never answers")
                    .isLessThan(100);
            // The command does not wait for the webhook.
            waitFor(() -> script.received().size() == 3, Duration.ofSeconds(10));
            assertThat(outcomes.get(0).isDone())
                    .as("the first event is still with the webhook")
                    .isFalse();
            for (CompletableFuture<Map<String, Notifier.Outcome>> f : outcomes) {
                assertThat(f.get(30, TimeUnit.SECONDS))
                        .containsEntry("webhook[0]", Notifier.Outcome.FAILED)
                        .containsEntry("command", Notifier.Outcome.DELIVERED);
            }
            assertThat(receiver.requests()).hasSize(9); // 3 events × (1 + 2 retries)
            assertThat(notifier.stats()).contains(new Notifier.SinkStats("webhook[0]", 0, 3, 0));
            notifier.close(Duration.ZERO);
        }
    }

    @Test
    void aFullQueueDropsItsOldestAndCountsIt() throws Exception {
        try (Receiver receiver = Receiver.start()) {
            receiver.hang(true);
            Notifier notifier = new Notifier(List.of(hook(receiver, Duration.ofSeconds(20), 0)), ALL, 2);
            List<CompletableFuture<Map<String, Notifier.Outcome>>> outcomes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                CompletableFuture<Map<String, Notifier.Outcome>> f = new CompletableFuture<>();
                notifier.offer(event(i), f::complete);
                outcomes.add(f);
                if (i == 0) {
                    waitFor(() -> receiver.requests().size() == 1, Duration.ofSeconds(10)); // the first is being sent
                }
            }
            // Being sent: 0; queued: 4 and 5; pushed out, oldest first: 1, 2, 3.
            for (int i = 1; i <= 3; i++) {
                assertThat(outcomes.get(i).get(5, TimeUnit.SECONDS))
                        .containsEntry("webhook[0]", Notifier.Outcome.DROPPED);
            }
            assertThat(notifier.stats()).containsExactly(new Notifier.SinkStats("webhook[0]", 0, 0, 3));
            receiver.hang(false);
            for (int i : new int[] {0, 4, 5}) {
                assertThat(outcomes.get(i).get(20, TimeUnit.SECONDS))
                        .containsEntry("webhook[0]", Notifier.Outcome.DELIVERED);
            }
            assertThat(receiver.delivered())
                    .extracting(j -> j.path("id").asText())
                    .containsExactly(event(0).id(), event(4).id(), event(5).id());
            notifier.close();
        }
    }

    @Test
    void kindsNotConfiguredAreNotSent() throws Exception {
        RecordingScript script = RecordingScript.in(dir);
        try (Notifier notifier = new Notifier(
                List.of(new CommandSink(script.command(), Duration.ofSeconds(5))),
                EnumSet.of(EventKind.RULE_ADDED),
                10)) {
            CompletableFuture<Map<String, Notifier.Outcome>> skipped = new CompletableFuture<>();
            Notification attack = Events.random(new SplittableRandom(3), EventKind.ATTACK_DETECTED, 3);
            notifier.offer(attack, skipped::complete);
            assertThat(skipped.get(1, TimeUnit.SECONDS)).isEmpty();
            CompletableFuture<Map<String, Notifier.Outcome>> sent = new CompletableFuture<>();
            Notification rule = Events.random(new SplittableRandom(4), EventKind.RULE_ADDED, 4);
            notifier.offer(rule, sent::complete);
            assertThat(sent.get(10, TimeUnit.SECONDS)).containsEntry("command", Notifier.Outcome.DELIVERED);
            assertThat(script.received()).extracting(j -> j.path("id").asText()).containsExactly(rule.id());
        }
    }

    static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(10);
        }
    }
}

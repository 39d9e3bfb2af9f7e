package org.levee.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs each notification's JSON ({@code Content-Type: application/json}, with
 * {@code X-Levee-Event} and {@code X-Levee-Event-Id}, and the configured headers) to one URL.
 *
 * <p>Any 2xx answer is delivered. No answer within the timeout (the whole exchange, body
 * included), a connection that fails, 5xx, 408 (request timeout), 425 and 429 (too early, too
 * many requests) are tried again after a pause that doubles from {@value #FIRST_BACKOFF_MILLIS}
 * ms up to {@value #MAX_BACKOFF_MILLIS} ms, at most {@code retries} times. Other answers (a 3xx —
 * redirects are not followed —, 400, 401, 403, 404, …) will not get better by asking again: failed
 * at once. The answer's body is read up to {@value #BODY_KEPT} bytes, for the log.
 */
public final class WebhookSink implements Sink {
    static final long FIRST_BACKOFF_MILLIS = 500;
    static final long MAX_BACKOFF_MILLIS = 15_000;
    static final int BODY_KEPT = 300;

    private final String name;
    private final NotificationsConfig.Webhook hook;
    private final Duration timeout;
    private final int retries;
    private final Duration firstBackoff;
    private final HttpClient client;

    /**
     * @param name its name in metrics and logs ({@code webhook[0]})
     * @param timeout the longest one POST may take
     * @param retries how many times a failed POST is tried again
     */
    public WebhookSink(String name, NotificationsConfig.Webhook hook, Duration timeout, int retries) {
        this(name, hook, timeout, retries, Duration.ofMillis(FIRST_BACKOFF_MILLIS));
    }

    WebhookSink(String name, NotificationsConfig.Webhook hook, Duration timeout, int retries, Duration firstBackoff) {
        this.name = name;
        this.hook = hook;
        this.timeout = timeout;
        this.retries = retries;
        this.firstBackoff = firstBackoff;
        // HTTP/1.1: what every receiver speaks; webhooks are rare events, one connection does.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return name + " " + hook.redacted();
    }

    @Override
    public Delivery deliver(Notification n, byte[] json) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(hook.url())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "levee-notify")
                .header("X-Levee-Event", n.kind().keyword())
                .header("X-Levee-Event-Id", n.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        for (Map.Entry<String, String> h : hook.headers().entrySet()) {
            builder.setHeader(h.getKey(), h.getValue());
        }
        HttpRequest request = builder.build();
        long backoff = firstBackoff.toMillis();
        String last = "";
        for (int attempt = 1; ; attempt++) {
            CompletableFuture<HttpResponse<String>> exchange =
                    client.sendAsync(request, info -> new FirstBytes(BODY_KEPT));
            boolean again;
            try {
                HttpResponse<String> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                int status = response.statusCode();
                String answer = "HTTP " + status + (response.body().isEmpty() ? "" : ": " + response.body());
                if (status / 100 == 2) {
                    return Delivery.delivered(attempt, answer);
                }
                again = status / 100 == 5 || status == 408 || status == 425 || status == 429;
                last = answer + (again ? "" : " (not tried again: asking again will not change this answer)");
            } catch (TimeoutException e) {
                exchange.cancel(true);
                last = "no answer within " + timeout.toMillis() + " ms";
                again = true;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                last = cause instanceof IOException && cause.getMessage() != null
                        ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
                        : cause.toString();
                again = true;
            } catch (InterruptedException e) {
                exchange.cancel(true);
                throw e;
            }
            if (!again || attempt > retries) {
                return Delivery.failed(attempt, last);
            }
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    @Override
    public String toString() {
        return "WebhookSink[" + describe() + "]";
    }

    /** Keeps the first bytes of a body as text and lets the rest go by. */
    private static final class FirstBytes implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final byte[] kept;
        private int length;

        FirstBytes(int limit) {
            kept = new byte[limit];
        }

        @Override
        public java.util.concurrent.CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int take = Math.min(b.remaining(), kept.length - length);
                b.get(kept, length, take);
                length += take;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(
                    new String(kept, 0, length, StandardCharsets.UTF_8).strip().replaceAll("\\p{Cntrl}+", " "));
        }
    }
}

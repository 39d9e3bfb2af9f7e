package org.levee.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.levee.testing.Requirements;

/**
 * A headless Chromium (Debian's {@code chromium}) driven through the DevTools protocol over the
 * JDK's WebSocket client: one page, navigated, measured, evaluated, photographed. Everything the
 * page reports as an error — console errors, uncaught exceptions, failed loads, Content Security
 * Policy violations — is collected in {@link #errors()}. {@link #close()} stops the browser (by
 * its process id and its children's) and removes its profile directory.
 */
final class Chromium implements AutoCloseable {
    private static final JsonMapper JSON = new JsonMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final List<CompletableFuture<Void>> loads = new ArrayList<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts a browser with one blank page; skips (fails, with {@code CI=true}) without {@code chromium}. */
    static Chromium start() {
        Requirements.command("chromium");
        Path profile;
        try {
            profile = Files.createTempDirectory("levee-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process = null;
        try {
            // --no-sandbox: tests run as root, where Chromium's sandbox refuses to start.
            // Port 0: Chromium picks a free one and writes it to DevToolsActivePort.
            process = new ProcessBuilder(
                            "chromium",
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--no-first-run",
                            "--no-default-browser-check",
                            "--disable-extensions",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--hide-scrollbars",
                            "--mute-audio",
                            "--lang=en-US",
                            "--remote-debugging-address=127.0.0.1",
                            "--remote-debugging-port=0",
                            "--user-data-dir=" + profile,
                            "about:blank")
                    .redirectErrorStream(true)
                    .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log")
                            .toFile())
                    .start();
            int port = devToolsPort(profile, process);
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            String pageSocket = null;
            for (JsonNode t : targets) {
                if (t.path("type").asText().equals("page")) {
                    pageSocket = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageSocket == null) {
                throw new IllegalStateException("chromium: no page among its targets: " + targets);
            }
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(pageSocket), listener)
                    .get(10, TimeUnit.SECONDS);
            Chromium c = new Chromium(process, profile, socket);
            listener.browser = c;
            c.send("Runtime.enable", null);
            c.send("Log.enable", null);
            c.send("Page.enable", null);
            return c;
        } catch (IOException | InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            String log = "";
            if (process != null) {
                process.destroy();
                stop(process);
                try {
                    log = Files.readString(profile.resolveSibling(profile.getFileName() + ".log"));
                } catch (IOException | RuntimeException ignored) {
                    // no log to show
                }
            }
            delete(profile);
            throw new IllegalStateException("chromium did not start: " + e + (log.isBlank() ? "" : "\n" + log), e);
        }
    }

    private static int devToolsPort(Path profile, Process process) throws IOException, InterruptedException {
        Path file = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty() && !lines.getFirst().isBlank()) {
                    return Integer.parseInt(lines.getFirst().trim());
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("chromium exited with " + process.exitValue() + " before listening");
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("chromium: no DevToolsActivePort after 30 s");
    }

    /** Sets the viewport: {@code width} × {@code height} CSS pixels; a narrow one is a phone's (mobile, touch). */
    void viewport(int width, int height) {
        ObjectNode p = JSON.createObjectNode()
                .put("width", width)
                .put("height", height)
                .put("deviceScaleFactor", 1)
                .put("mobile", width < 600);
        send("Emulation.setDeviceMetricsOverride", p);
    }

    /** Loads {@code url} and waits until its document is complete. */
    void navigate(String url) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        synchronized (loads) {
            loads.add(loaded);
        }
        JsonNode r = send("Page.navigate", JSON.createObjectNode().put("url", url));
        if (r.hasNonNull("errorText")) {
            throw new IllegalStateException(
                    "chromium: cannot load " + url + ": " + r.get("errorText").asText());
        }
        try {
            loaded.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("chromium: no load event for " + url + ": " + e, e);
        }
        // A load event of the page before may have arrived late: wait for this document's own.
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (!evaluate("location.href === " + JSON.getNodeFactory().textNode(url)
                        + " && document.readyState === 'complete'")
                .asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "chromium: " + url + " not loaded after " + COMMAND_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The value of a JavaScript expression in the page (awaited when it is a promise). */
    JsonNode evaluate(String expression) {
        JsonNode r = send(
                "Runtime.evaluate",
                JSON.createObjectNode()
                        .put("expression", expression)
                        .put("returnByValue", true)
                        .put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("in the page: " + expression + " threw " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** A PNG of the whole page (not only the viewport) at the viewport's width. */
    byte[] screenshot() {
        JsonNode size = send("Page.getLayoutMetrics", null).get("cssContentSize");
        ObjectNode clip = JSON.createObjectNode()
                .put("x", 0)
                .put("y", 0)
                .put("width", size.get("width").asDouble())
                .put("height", size.get("height").asDouble())
                .put("scale", 1);
        ObjectNode p = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        p.set("clip", clip);
        return Base64.getDecoder()
                .decode(send("Page.captureScreenshot", p).get("data").asText());
    }

    /** Forgets the errors reported so far (those of pages before). */
    void clearErrors() {
        synchronized (errors) {
            errors.clear();
        }
    }

    /** What the page reported as errors so far, each as "kind: text". */
    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Sends a command and waits for its result. */
    JsonNode send(String method, JsonNode params) {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (socket) {
                socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
            }
            return answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (IOException | InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("chromium: " + method + ": " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    private void onMessage(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (m.has("id")) {
            CompletableFuture<JsonNode> answer = pending.get(m.get("id").asInt());
            if (answer != null) {
                if (m.has("error")) {
                    answer.completeExceptionally(
                            new IllegalStateException(m.get("error").toString()));
                } else {
                    answer.complete(m.path("result"));
                }
            }
            return;
        }
        JsonNode p = m.path("params");
        switch (m.path("method").asText()) {
            case "Page.loadEventFired" -> {
                synchronized (loads) {
                    loads.forEach(l -> l.complete(null));
                    loads.clear();
                }
            }
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    StringBuilder b = new StringBuilder("console." + type + ":");
                    p.path("args")
                            .forEach(a -> b.append(' ')
                                    .append(
                                            a.has("value")
                                                    ? a.get("value").asText()
                                                    : a.path("description").asText()));
                    error(b.toString());
                }
            }
            case "Runtime.exceptionThrown" -> {
                JsonNode d = p.path("exceptionDetails");
                error("exception: "
                        + d.path("exception")
                                .path("description")
                                .asText(d.path("text").asText()));
            }
            case "Log.entryAdded" -> {
                JsonNode e = p.path("entry");
                if (e.path("level").asText().equals("error")) {
                    error("log (" + e.path("source").asText() + "): "
                            + e.path("text").asText() + " " + e.path("url").asText());
                }
            }
            default -> {}
        }
    }

    private void error(String text) {
        synchronized (errors) {
            errors.add(text);
        }
    }

    /** Collects each message's fragments (screenshots arrive in many) and hands whole messages over. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile Chromium browser;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (browser != null) {
                    browser.onMessage(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            send("Browser.close", null);
        } catch (RuntimeException e) {
            // it may be gone already: stopped below in any case
        }
        socket.abort();
        stop(process);
        delete(profile);
    }

    /** Waits a moment for a browser told to close, then terminates it, then kills it and its children. */
    private static void stop(Process process) {
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".log"));
            if (Files.exists(dir)) {
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            // a temporary directory: the system cleans it in the end
        }
    }
}

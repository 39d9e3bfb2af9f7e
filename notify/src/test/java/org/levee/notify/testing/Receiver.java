package org.levee.notify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback for tests: records every request (path, headers, body) and
 * answers each with the next status queued by {@link #answer} (200 when none is queued), or
 * holds it without answering while {@link #hang} is on. {@link #close()} stops it and lets
 * held requests go.
 */
public final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as received.
     *
     * @param status what it was answered (0: not answered, held)
     */
    public record Request(String method, String path, Map<String, List<String>> headers, byte[] body, int status) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Integer> answers = new ArrayDeque<>();
    private boolean hanging;
    private boolean closed;

    private Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A receiver on a free loopback port. */
    public static Receiver start() {
        try {
            return new Receiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its URL, with a path that stands for a chat webhook's secret. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T0SECRET/levee");
    }

    /** The next requests are answered with these statuses, in order. */
    public synchronized void answer(int... statuses) {
        for (int s : statuses) {
            answers.addLast(s);
        }
    }

    /** While on, requests are held without an answer (off lets the held ones go, with 200). */
    public synchronized void hang(boolean on) {
        hanging = on;
        notifyAll();
    }

    /** Every request so far, answered or held. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The JSON bodies of the requests answered 2xx, in order. */
    public synchronized List<JsonNode> delivered() {
        return requests.stream()
                .filter(r -> r.status() / 100 == 2)
                .map(Request::json)
                .toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        int index;
        int status;
        synchronized (this) {
            index = requests.size();
            requests.add(new Request(
                    exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body, 0));
            while (hanging && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (closed) {
                exchange.close();
                return;
            }
            status = answers.isEmpty() ? 200 : answers.pollFirst();
            Request r = requests.get(index);
            requests.set(index, new Request(r.method(), r.path(), r.headers(), r.body(), status));
        }
        byte[] answer = (status / 100 == 2 ? "ok" : "answer " + status).getBytes();
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        server.stop(0);
        handlers.shutdownNow();
    }
}

package org.levee.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The routes of the live page, for a server's own router to hand over: {@code GET /} (the page)
 * and {@code GET /traffic} (the history, all of it or {@code ?since=MILLIS}: the points after
 * that time). Read-only; the server checks the method first, as for its other routes.
 */
public final class WebRoutes {
    private static final WebPage PAGE = WebPage.load();

    private final TrafficHistory traffic;
    private final String trafficSource;

    /**
     * @param traffic       the history {@code /traffic} serves
     * @param trafficSource what its rates are, in a few words for the page (e.g. "this node's data plane")
     */
    public WebRoutes(TrafficHistory traffic, String trafficSource) {
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        this.trafficSource = Objects.requireNonNull(trafficSource, "trafficSource");
    }

    /** True for the paths these routes answer (without a trailing slash, except {@code /}). */
    public static boolean serves(String path) {
        return path.equals("/") || path.equals("/traffic");
    }

    /** Answers a GET of {@code path}, one of those {@link #serves} accepts. */
    public void serve(HttpExchange exchange, String path) throws IOException {
        switch (path) {
            case "/" -> PAGE.serve(exchange);
            case "/traffic" -> traffic(exchange);
            default -> throw new IllegalArgumentException("not a route of the page: " + path);
        }
    }

    private void traffic(HttpExchange exchange) throws IOException {
        long since = Long.MIN_VALUE;
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String parameter : query.split("&")) {
                int eq = parameter.indexOf('=');
                String name =
                        URLDecoder.decode(eq < 0 ? parameter : parameter.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
                if (!name.equals("since")) {
                    error(exchange, "query: unknown parameter '" + name + "' (known: since)");
                    return;
                }
                try {
                    since = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    error(exchange, "since: '" + value + "' is not a time in milliseconds since the epoch");
                    return;
                }
            }
        }
        String body =
                TrafficJson.write(System.currentTimeMillis(), traffic.capacity(), trafficSource, traffic.since(since));
        send(exchange, 200, body);
    }

    private static void error(HttpExchange exchange, String message) throws IOException {
        send(exchange, 400, "{\"error\":" + TrafficJson.quote(message) + "}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

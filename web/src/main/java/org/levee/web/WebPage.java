package org.levee.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live page: one HTML document with its style and script inline, served with a
 * Content-Security-Policy that allows exactly that style and that script (by their SHA-256),
 * requests to its own origin, and nothing else — no other script, no external load, no form, no
 * frame. The page only reads (GET) the server's JSON routes; it offers no write.
 */
public final class WebPage {
    private static final String RESOURCE = "levee.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);

    private final byte[] html;
    private final String contentSecurityPolicy;

    private WebPage(byte[] html, String contentSecurityPolicy) {
        this.html = html;
        this.contentSecurityPolicy = contentSecurityPolicy;
    }

    /** The page from the class path. */
    public static WebPage load() {
        try (InputStream in = WebPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        RESOURCE + ": not on the class path next to " + WebPage.class.getName());
            }
            return of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * A page made of {@code html}, which must hold exactly one {@code <script>} and one
     * {@code <style>} element (without attributes): the policy names their hashes.
     */
    static WebPage of(String html) {
        String script = only(SCRIPT, html, "<script>");
        String style = only(STYLE, html, "<style>");
        String policy = "default-src 'none'; script-src '" + sha256(script) + "'; style-src '" + sha256(style) + "';"
                + " img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return new WebPage(html.getBytes(StandardCharsets.UTF_8), policy);
    }

    private static String only(Pattern element, String html, String name) {
        Matcher m = element.matcher(html);
        if (!m.find()) {
            throw new IllegalStateException(RESOURCE + ": no " + name + " element");
        }
        String body = m.group(1);
        if (m.find()) {
            throw new IllegalStateException(RESOURCE + ": more than one " + name + " element (the policy allows one)");
        }
        return body;
    }

    /** A CSP source expression for inline content: {@code sha256-<base64 of its UTF-8 bytes' digest>}. */
    static String sha256(String inline) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The Content-Security-Policy header's value. */
    public String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    /** The document's bytes (UTF-8). */
    public byte[] html() {
        return html.clone();
    }

    /** Answers {@code exchange} with the page and its headers (200). */
    public void serve(HttpExchange exchange) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/html; charset=utf-8");
        headers.set("Content-Security-Policy", contentSecurityPolicy);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, html.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(html);
        }
    }
}

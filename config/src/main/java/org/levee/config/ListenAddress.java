package org.levee.config;

import java.net.InetSocketAddress;

/** Where a server listens, as people write it: {@code host:port}, {@code [v6]:port}, {@code :port}. */
public final class ListenAddress {
    private ListenAddress() {}

    /**
     * {@code host:port}, {@code [v6]:port} or {@code :port} (127.0.0.1); the host is an IP address
     * (or {@code localhost}) because servers bind to it; port 0 picks a free port.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static InetSocketAddress parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' is not host:port (like 127.0.0.1:9276)");
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) > 65535) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not in 0..65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+|localhost")) {
            throw new IllegalArgumentException(
                    "'" + text + "': the host must be an IP address (the server binds to it)");
        }
        return new InetSocketAddress(host, Integer.parseInt(portText));
    }
}

package org.levee.rules;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A service that no rule may cut off: the operator's way in (SSH), the agent's API, etcd. The
 * {@link RuleGuard} refuses a rule whose filter matches packets to it from more than one source.
 *
 * @param transport {@code tcp} or {@code udp}
 * @param address   the host or network it listens on; empty for any address (IPv4 and IPv6)
 * @param port      its port, 1..65535
 * @param role      what it is, for people ({@code ssh}, {@code agent API}, {@code etcd}, {@code configured})
 */
public record ProtectedEndpoint(Transport transport, Optional<Prefix> address, int port, String role) {

    /** The transport protocols an endpoint can be given in. */
    public enum Transport {
        TCP(6),
        UDP(17);

        private final int protocolNumber;

        Transport(int protocolNumber) {
            this.protocolNumber = protocolNumber;
        }

        /** The IP protocol number (IPv4 protocol, IPv6 next header). */
        public int protocolNumber() {
            return protocolNumber;
        }

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The SSH port. */
    public static final int SSH_PORT = 22;

    public ProtectedEndpoint {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(role, "role");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /** TCP 22 on any address: the operator's SSH. */
    public static ProtectedEndpoint ssh() {
        return new ProtectedEndpoint(Transport.TCP, Optional.empty(), SSH_PORT, "ssh");
    }

    /**
     * TCP {@code port} on {@code host}: an IP literal names that host, a wildcard address
     * ({@code 0.0.0.0}, {@code ::}) or a name (which the guard does not resolve) any address.
     */
    public static ProtectedEndpoint tcp(String host, int port, String role) {
        Optional<Prefix> address;
        try {
            IpAddress ip = IpAddress.parse(
                    host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
            address = ip.low() == 0 && ip.high() == 0 ? Optional.empty() : Optional.of(Prefix.host(ip));
        } catch (IllegalArgumentException e) {
            address = Optional.empty(); // a host name: every address the name could stand for
        }
        return new ProtectedEndpoint(Transport.TCP, address, port, role);
    }

    /**
     * Parses {@code <tcp|udp> <address>:<port>}: {@code tcp 192.0.2.10:2379},
     * {@code tcp [2001:db8::10]:22}, {@code udp 198.51.100.0/24:53}, {@code tcp *:22} (any address).
     * The endpoint's role is {@code configured}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static ProtectedEndpoint parse(String text) {
        String t = text == null ? "" : text.strip();
        String[] parts = t.split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not '<tcp|udp> <address>:<port>' (e.g. 'tcp *:22', 'tcp [2001:db8::1]:22')");
        }
        Transport transport = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "tcp" -> Transport.TCP;
            case "udp" -> Transport.UDP;
            default ->
                throw new IllegalArgumentException(
                        "'" + text + "': protocol '" + parts[0] + "' is neither tcp nor udp");
        };
        String hostPort = parts[1];
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + text + "': '" + hostPort + "' has no ':<port>'");
        }
        String host = hostPort.substring(0, colon);
        String portText = hostPort.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number in 1..65535");
        }
        Optional<Prefix> address;
        if (host.equals("*")) {
            address = Optional.empty();
        } else {
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException(
                        "'" + text + "': write an IPv6 address in brackets ([2001:db8::1]:22)");
            }
            try {
                address = Optional.of(Prefix.parse(host));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
            }
        }
        return new ProtectedEndpoint(transport, address, Integer.parseInt(portText), "configured");
    }

    /** This endpoint with another role. */
    public ProtectedEndpoint withRole(String newRole) {
        return new ProtectedEndpoint(transport, address, port, newRole);
    }

    /** True when the endpoint listens on addresses of IP version {@code version}. */
    public boolean covers(int version) {
        return address.map(p -> p.network().version() == version).orElse(true);
    }

    /** {@code tcp 192.0.2.10:2379}, {@code tcp [2001:db8::/32]:22}, {@code tcp *:22}. */
    public String endpoint() {
        String host = address.map(p -> {
                    String s = p.isHost() ? p.network().toString() : p.toString();
                    return p.network().version() == 6 ? "[" + s + "]" : s;
                })
                .orElse("*");
        return transport.keyword() + " " + host + ":" + port;
    }

    /** {@code tcp *:22 (ssh)}. */
    @Override
    public String toString() {
        return endpoint() + " (" + role + ")";
    }
}

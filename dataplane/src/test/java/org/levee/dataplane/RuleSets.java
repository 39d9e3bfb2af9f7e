package org.levee.dataplane;

/** The benchmark's rule sets as YAML, for tests: port rules behind a destination, and five shapes in turn. */
final class RuleSets {
    private RuleSets() {}

    /** {@code udp and dst port N} (N = 10000 + i) for 198.51.100.0/24, id {@code port-<i>}, action drop. */
    static String uniform(int count) {
        StringBuilder yaml = new StringBuilder("version: uniform\nrules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append("  - {id: port-")
                    .append(i)
                    .append(", filter: udp and dst port ")
                    .append(10_000 + i)
                    .append(", destinations: [198.51.100.0/24], action: drop}\n");
        }
        return yaml.toString();
    }

    /**
     * Rule i (id {@code mixed-<i>}, action drop) has shape i mod 5: {@code udp and dst port N} for
     * 198.51.100.0/24; a TCP SYN to port N for 203.0.113.0/24; {@code udp src port N};
     * {@code dst host 192.0.2.H and udp}; {@code ip6 and udp port N} for 2001:db8::/32 — with
     * N = 10000 + i and H = 1 + i mod 250.
     */
    static String mixed(int count) {
        StringBuilder yaml = new StringBuilder("version: mixed\nrules:\n");
        for (int i = 0; i < count; i++) {
            int port = 10_000 + i;
            String rule = switch (i % 5) {
                case 0 -> "filter: udp and dst port " + port + ", destinations: [198.51.100.0/24]";
                case 1 ->
                    "filter: 'tcp dst port " + port
                            + " and tcp[tcpflags] & tcp-syn != 0', destinations: [203.0.113.0/24]";
                case 2 -> "filter: udp src port " + port;
                case 3 -> "filter: dst host 192.0.2." + (1 + i % 250) + " and udp";
                default -> "filter: ip6 and udp port " + port + ", destinations: ['2001:db8::/32']";
            };
            yaml.append("  - {id: mixed-").append(i).append(", ").append(rule).append(", action: drop}\n");
        }
        return yaml.toString();
    }
}

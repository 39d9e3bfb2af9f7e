package org.levee.lab;

/** The floods the lab's generator sends; each has its own frame layout (see {@link FloodFrames}). */
public enum FloodKind {
    /** TCP SYNs from one tool: spoofed random sources and ports, fixed TTL, window and option layout. */
    SYN_FLOOD("syn", "spoofed-source SYN flood"),
    /** Large DNS answers from port 53 of many reflectors to random ports of the victim. */
    DNS_AMPLIFICATION("dns-amp", "DNS amplification"),
    /** Large memcached "VALUE" answers from port 11211 of many reflectors. */
    MEMCACHED_AMPLIFICATION("memcached", "memcached amplification"),
    /** DNS queries for {@code <random>.victim.example} to the victim's port 53. */
    DNS_RANDOM_SUBDOMAIN("dns-subdomain", "random-subdomain DNS query flood"),
    /** Small UDP datagrams to random ports from random sources. */
    UDP_RANDOM_PORTS("udp", "UDP flood to random ports"),
    /** The SYN flood over IPv6: spoofed global unicast sources, the same tool's fixed fields. */
    SYN_FLOOD_V6("syn6", "spoofed-source SYN flood over IPv6"),
    /** Small UDP datagrams to random ports from random IPv6 sources. */
    UDP_RANDOM_PORTS_V6("udp6", "UDP flood to random ports over IPv6");

    private final String id;
    private final String description;

    FloodKind(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** Short name for command lines and tables. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** True for the floods sent over IPv6. */
    public boolean ipv6() {
        return this == SYN_FLOOD_V6 || this == UDP_RANDOM_PORTS_V6;
    }

    /** The kind named {@code id} (as {@link #id()} spells it). */
    public static FloodKind byId(String id) {
        for (FloodKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        StringBuilder known = new StringBuilder();
        for (FloodKind k : values()) {
            known.append(known.isEmpty() ? "" : ", ").append(k.id);
        }
        throw new IllegalArgumentException("unknown flood kind '" + id + "' (known: " + known + ")");
    }
}

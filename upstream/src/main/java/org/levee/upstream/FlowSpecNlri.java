package org.levee.upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.levee.rules.Prefix;

/**
 * A FlowSpec route's match (its NLRI): a destination prefix (IPv4: RFC 8955; IPv6, offset 0: RFC
 * 8956) and components in increasing type order, each type at most once. A packet matches when its
 * destination is in the prefix and it satisfies every component.
 */
public record FlowSpecNlri(Prefix destination, List<FlowSpecComponent> components) {

    public FlowSpecNlri {
        Objects.requireNonNull(destination, "destination");
        List<FlowSpecComponent> sorted = new ArrayList<>(components);
        sorted.sort(Comparator.comparingInt(c -> c.type().code()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).type() == sorted.get(i - 1).type()) {
                throw new IllegalArgumentException("component " + sorted.get(i).type() + " appears twice");
            }
        }
        components = List.copyOf(sorted);
    }

    /** 4 or 6. */
    public int ipVersion() {
        return destination.network().version();
    }

    /** The component of {@code type}, or null when the route has none (the field is not constrained). */
    public FlowSpecComponent component(ComponentType type) {
        for (FlowSpecComponent c : components) {
            if (c.type() == type) {
                return c;
            }
        }
        return null;
    }

    /** Like GoBGP prints it: {@code [destination: 203.0.113.10/32][protocol: ==udp]…} (our own rendering). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[destination: " + destination + "]");
        for (FlowSpecComponent c : components) {
            s.append('[')
                    .append(c.type().gobgpName())
                    .append(": ")
                    .append(FlowSpecText.terms(c))
                    .append(']');
        }
        return s.toString();
    }
}

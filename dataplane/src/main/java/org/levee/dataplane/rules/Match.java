package org.levee.dataplane.rules;

import java.util.List;

/** Which packets a rule is about: exactly one source of a classic BPF filter. */
public sealed interface Match {

    /** The rule-file field holding this source. */
    String field();

    /** A tcpdump expression, compiled with libpcap for Ethernet. */
    record Filter(String expression) implements Match {
        @Override
        public String field() {
            return "filter";
        }
    }

    /** Classic BPF in the comma format of {@code tcpdump -ddd} joined by commas ({@code 4,40 0 0 12,…}). */
    record Cbpf(String bytecode) implements Match {
        @Override
        public String field() {
            return "cbpf";
        }
    }

    /** DNS query-name patterns (bpftools syntax: {@code *} one label, {@code **} any labels). */
    record Dns(List<String> patterns, boolean ignoreCase) implements Match {
        public Dns {
            patterns = List.copyOf(patterns);
        }

        @Override
        public String field() {
            return "dns";
        }
    }

    /** A p0f-style TCP SYN signature. */
    record P0f(String signature) implements Match {
        @Override
        public String field() {
            return "p0f";
        }
    }
}

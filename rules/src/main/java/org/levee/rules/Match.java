package org.levee.rules;

import java.util.List;
import java.util.Objects;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;

/**
 * Which packets a rule is about: exactly one source of a classic BPF filter. A match is
 * immutable and compares by value, so {@link RuleFilters} can keep the filter it compiled to.
 */
public sealed interface Match {

    /** The rule-file field holding this source. */
    String field();

    /** A tcpdump expression, compiled with libpcap for Ethernet. */
    record Filter(String expression) implements Match {
        public Filter {
            Objects.requireNonNull(expression, "expression");
        }

        @Override
        public String field() {
            return "filter";
        }
    }

    /**
     * A classic BPF program, as the detector makes it or as a rule file gives it (the comma
     * format of {@code tcpdump -ddd}: {@code 4,40 0 0 12,…}).
     *
     * @param program     the program
     * @param description what it matches, in words, for people (the detector's tcpdump expression
     *                    and DNS clause); empty when there is nothing more to say than the code.
     *                    Rule files, the API, the state file and etcd carry it as
     *                    {@code cbpf_description}. Only people read it, except the upstream
     *                    translation, which uses it only when libpcap compiles it to exactly
     *                    {@code program}.
     */
    record Cbpf(CbpfProgram program, String description) implements Match {
        public Cbpf {
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(description, "description");
        }

        /**
         * The program of {@code bytecode}, in the comma format.
         *
         * @throws org.levee.cbpf.CbpfException saying what is wrong and where
         */
        public static Cbpf parse(String bytecode) {
            return new Cbpf(CbpfText.parseBytecode(bytecode), "");
        }

        /** The program in the comma format, as rule files write it. */
        public String bytecode() {
            return CbpfText.printBytecode(program);
        }

        /** Runs the program on an Ethernet frame with the kernel's semantics. */
        public boolean matches(byte[] packet, int wireLength) {
            return CbpfInterpreter.matches(program, packet, wireLength);
        }

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
        public P0f {
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public String field() {
            return "p0f";
        }
    }
}

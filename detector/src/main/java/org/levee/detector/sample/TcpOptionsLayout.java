package org.levee.detector.sample;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of a TCP header's options: the header length and the kind, length and offset of
 * every option up to the end of the list. Tools that forge SYNs send one fixed layout, while
 * real stacks send a handful of others, so the layout is a good fingerprint field.
 *
 * @param headerLength the TCP header length in bytes (data offset × 4)
 * @param options the options in order; an end-of-list option ends it
 */
public record TcpOptionsLayout(int headerLength, List<TcpOption> options) {

    /**
     * One option.
     *
     * @param kind the option kind (0 end of list, 1 no-op, 2 MSS, 3 window scale, 4 SACK
     *     permitted, 8 timestamps, ...)
     * @param length its length in bytes, 1 for end-of-list and no-op
     * @param offset its offset from the start of the TCP header
     */
    public record TcpOption(int kind, int length, int offset) {}

    public TcpOptionsLayout {
        options = List.copyOf(options);
    }

    @Override
    public String toString() {
        return "hl" + headerLength + "["
                + options.stream().map(o -> name(o.kind())).collect(Collectors.joining(","))
                + "]";
    }

    private static String name(int kind) {
        return switch (kind) {
            case 0 -> "eol";
            case 1 -> "nop";
            case 2 -> "mss";
            case 3 -> "ws";
            case 4 -> "sok";
            case 5 -> "sack";
            case 8 -> "ts";
            default -> "k" + kind;
        };
    }
}

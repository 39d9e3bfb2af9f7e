package org.levee.upstream;

import java.util.ArrayList;
import java.util.List;

/**
 * FlowSpec components as text, in the syntax of GoBGP's command line (a term list is one argument:
 * terms separated by a space are ORed, a term starting with {@code &} is ANDed with what precedes
 * it): {@code ==17}, {@code >=80&<=90 ==443}, {@code =S&!A}, {@code !is-fragment}. Log lines and
 * {@link FlowSpecNlri#toString()} use it too.
 */
public final class FlowSpecText {
    private FlowSpecText() {}

    private static final String TCP_FLAG_LETTERS = "FSRPAUEC"; // bit 0 (FIN) .. bit 7 (CWR)
    private static final String[] FRAGMENT_NAMES = {"dont-fragment", "is-fragment", "first-fragment", "last-fragment"};

    /** The term list of {@code component}. */
    public static String terms(FlowSpecComponent component) {
        List<String> items = new ArrayList<>();
        StringBuilder current = null;
        switch (component) {
            case FlowSpecComponent.Numeric n -> {
                for (FlowSpecComponent.NumericTerm t : n.terms()) {
                    String term = numericOperator(t) + t.value();
                    current = append(items, current, t.and(), term);
                }
            }
            case FlowSpecComponent.Bitmask b -> {
                for (FlowSpecComponent.BitmaskTerm t : b.terms()) {
                    String op = (t.not() ? "!" : "") + (t.match() ? "=" : "");
                    String value = b.type() == ComponentType.TCP_FLAGS ? tcpFlags(t.value()) : fragments(t.value());
                    current = append(items, current, t.and(), op + value);
                }
            }
        }
        if (current != null) {
            items.add(current.toString());
        }
        return String.join(" ", items);
    }

    private static StringBuilder append(List<String> items, StringBuilder current, boolean and, String term) {
        if (current == null) {
            return new StringBuilder(term);
        }
        if (and) {
            return current.append('&').append(term);
        }
        items.add(current.toString());
        return new StringBuilder(term);
    }

    private static String numericOperator(FlowSpecComponent.NumericTerm t) {
        int bits = (t.lessThan() ? 4 : 0) | (t.greaterThan() ? 2 : 0) | (t.equal() ? 1 : 0);
        return switch (bits) {
            case 1 -> "==";
            case 2 -> ">";
            case 3 -> ">=";
            case 4 -> "<";
            case 5 -> "<=";
            case 6 -> "!=";
            default ->
                throw new IllegalArgumentException(
                        "numeric operator " + bits + " (always true or always false) has no text");
        };
    }

    /** TCP flag bits as GoBGP's letters, lowest bit first: 0x12 is {@code SA}. */
    public static String tcpFlags(int value) {
        StringBuilder s = new StringBuilder();
        for (int bit = 0; bit < 8; bit++) {
            if ((value & (1 << bit)) != 0) {
                s.append(TCP_FLAG_LETTERS.charAt(bit));
            }
        }
        return s.toString();
    }

    /** Fragment flag bits as GoBGP's names joined by {@code +}: 0x03 is {@code dont-fragment+is-fragment}. */
    public static String fragments(int value) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 4; bit++) {
            if ((value & (1 << bit)) != 0) {
                names.add(FRAGMENT_NAMES[bit]);
            }
        }
        if (names.isEmpty() || value > 0x0f) {
            throw new IllegalArgumentException("fragment flags 0x" + Integer.toHexString(value) + " have no name");
        }
        return String.join("+", names);
    }
}

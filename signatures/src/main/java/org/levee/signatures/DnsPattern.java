package org.levee.signatures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DNS name pattern in bpftools' syntax, parsed into the labels it matches in wire format.
 *
 * <ul>
 *   <li>A label that is exactly {@code *} matches one label of any length (1..63).
 *   <li>{@code *{MIN-MAX}} matches one label whose length is within MIN..MAX; lengths above 63
 *       are not labels, so a MAX above 63 (bpftools writes {@code *{4-255}}) means 63.
 *   <li>{@code ?} matches any one byte; other stars ({@code *xx}, {@code x*x}) are literal.
 *   <li>A last label {@code **} matches one or more further labels.
 *   <li>{@code %HH} is the byte with hex value HH, always literal (bpftools unquotes too).
 *   <li>Leading and trailing dots are ignored; {@code .} alone is the root name.
 * </ul>
 *
 * @param text   the pattern as written
 * @param labels the labels, in order; an {@link Element.AnySuffix} can only be last
 */
public record DnsPattern(String text, List<Element> labels) {

    /** Longest name in wire format (RFC 1035 §2.3.4), length bytes and the final zero included. */
    public static final int MAX_NAME_BYTES = 255;
    /** Longest label (RFC 1035 §2.3.4). */
    public static final int MAX_LABEL_BYTES = 63;

    /** What one label of a pattern matches. */
    public sealed interface Element {
        /**
         * A label of exactly these bytes; where {@code wildcard[i]} is true any byte matches.
         */
        record Literal(byte[] bytes, boolean[] wildcard) implements Element {
            public Literal {
                if (bytes.length != wildcard.length) {
                    throw new IllegalArgumentException("bytes and wildcard differ in length");
                }
                bytes = bytes.clone();
                wildcard = wildcard.clone();
            }

            @Override
            public byte[] bytes() {
                return bytes.clone();
            }

            @Override
            public boolean[] wildcard() {
                return wildcard.clone();
            }
        }

        /** One label whose length is within min..max (1 ≤ min ≤ max ≤ 63). */
        record AnyLabel(int min, int max) implements Element {}

        /** One or more labels, whatever they are. */
        record AnySuffix() implements Element {}
    }

    private static final Pattern RANGE = Pattern.compile("\\*\\{(\\d{1,3})-(\\d{1,3})\\}");

    public DnsPattern {
        labels = List.copyOf(labels);
    }

    /** True when the pattern ends with {@code **}. */
    public boolean hasAnySuffix() {
        return !labels.isEmpty() && labels.getLast() instanceof Element.AnySuffix;
    }

    /**
     * Parses {@code text}; errors name the pattern by {@code where} (e.g. "pattern 2") and the
     * label by its 1-based position.
     */
    public static DnsPattern parse(String text, String where) {
        String context = where + " '" + text + "'";
        if (text.isEmpty()) {
            throw new SignatureException(context + ": empty pattern (write '.' for the root name)");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new SignatureException(context + ": character " + (i + 1) + " (U+"
                        + String.format("%04X", (int) c) + ") is not printable ASCII; write bytes as %HH");
            }
        }
        String trimmed = stripDots(text);
        List<Element> labels = new ArrayList<>();
        if (!trimmed.isEmpty()) {
            String[] parts = trimmed.split("\\.", -1);
            for (int i = 0; i < parts.length; i++) {
                String label = context + ", label " + (i + 1) + " '" + parts[i] + "'";
                labels.add(element(parts[i], label, i == parts.length - 1));
            }
        }
        DnsPattern pattern = new DnsPattern(text, labels);
        int minimum = pattern.minimumWireLength();
        if (minimum > MAX_NAME_BYTES) {
            throw new SignatureException(context + ": matches only names of at least " + minimum
                    + " bytes in wire format; DNS names have at most " + MAX_NAME_BYTES);
        }
        return pattern;
    }

    /** The fewest bytes a matching name has in wire format. */
    public int minimumWireLength() {
        int bytes = hasAnySuffix() ? 0 : 1; // the root label's zero byte, if the name ends here
        for (Element element : labels) {
            bytes += switch (element) {
                case Element.Literal literal -> 1 + literal.bytes().length;
                case Element.AnyLabel any -> 1 + any.min();
                case Element.AnySuffix ignored -> 2 + 1; // at least one label of one byte, then zero
            };
        }
        return bytes;
    }

    private static String stripDots(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == '.') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '.') {
            end--;
        }
        return text.substring(start, end);
    }

    private static Element element(String part, String where, boolean last) {
        if (part.isEmpty()) {
            throw new SignatureException(where + ": empty label (two dots in a row)");
        }
        if (part.equals("*")) {
            return new Element.AnyLabel(1, MAX_LABEL_BYTES);
        }
        if (part.equals("**")) {
            if (!last) {
                throw new SignatureException(where + ": '**' (any suffix) must be the last label");
            }
            return new Element.AnySuffix();
        }
        if (part.contains("**")) {
            throw new SignatureException(
                    where + ": '**' must be a label of its own" + " (bpftools' label-prefix form is not supported)");
        }
        if (part.startsWith("*{")) {
            Matcher range = RANGE.matcher(part);
            if (!range.matches()) {
                throw new SignatureException(where + ": a length range is written *{MIN-MAX}, e.g. *{4-63}");
            }
            int min = Integer.parseInt(range.group(1));
            int max = Integer.parseInt(range.group(2));
            if (min < 1 || min > MAX_LABEL_BYTES) {
                throw new SignatureException(where + ": MIN " + min + " must be within 1..63 (label lengths)");
            }
            if (max < min || max > 255) {
                throw new SignatureException(where + ": MAX " + max + " must be within MIN.." + 255);
            }
            return new Element.AnyLabel(min, Math.min(max, MAX_LABEL_BYTES));
        }
        return literal(part, where);
    }

    private static Element.Literal literal(String part, String where) {
        byte[] bytes = new byte[part.length()];
        boolean[] wildcard = new boolean[part.length()];
        int n = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length()) {
                    throw new SignatureException(
                            where + ": '%' at character " + (i + 1) + " must be followed by two hex digits");
                }
                int high = Character.digit(part.charAt(i + 1), 16);
                int low = Character.digit(part.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new SignatureException(
                            where + ": '%' at character " + (i + 1) + " must be followed by two hex digits");
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                wildcard[n] = c == '?';
                bytes[n++] = (byte) c;
            }
        }
        if (n > MAX_LABEL_BYTES) {
            throw new SignatureException(where + ": " + n + " bytes long; DNS labels have at most " + MAX_LABEL_BYTES);
        }
        return new Element.Literal(Arrays.copyOf(bytes, n), Arrays.copyOf(wildcard, n));
    }
}

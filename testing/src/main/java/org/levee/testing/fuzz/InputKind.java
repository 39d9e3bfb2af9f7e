package org.levee.testing.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What the runner needs to know about an input type it does not otherwise look into: its size,
 * how to cut a range out of it (for the {@link Minimizer}), how to compare two, and how to show
 * and store one in a report.
 *
 * @param <I> the input type
 */
public interface InputKind<I> {
    /** Binary inputs: files, datagrams, records. */
    InputKind<byte[]> BYTES = new Bytes();
    /** Text inputs: expressions, listings, signatures, patterns. */
    InputKind<String> TEXT = new Text();

    /** Length in bytes or characters. */
    int size(I input);

    /** {@code input} without {@code [from, to)}. */
    I remove(I input, int from, int to);

    boolean same(I a, I b);

    /** A one-line form that reproduces the input: hex for bytes, a Java string literal for text. */
    String describe(I input);

    /** The bytes to store in a file (text as UTF-8). */
    byte[] toBytes(I input);

    /** {@link #describe} cut to about {@code max} characters, saying how much was cut. */
    default String describe(I input, int max) {
        String full = describe(input);
        return full.length() <= max ? full : full.substring(0, max) + "… (" + size(input) + " in all)";
    }

    final class Bytes implements InputKind<byte[]> {
        private Bytes() {}

        @Override
        public int size(byte[] input) {
            return input.length;
        }

        @Override
        public byte[] remove(byte[] input, int from, int to) {
            byte[] shorter = new byte[input.length - (to - from)];
            System.arraycopy(input, 0, shorter, 0, from);
            System.arraycopy(input, to, shorter, from, input.length - to);
            return shorter;
        }

        @Override
        public boolean same(byte[] a, byte[] b) {
            return Arrays.equals(a, b);
        }

        @Override
        public String describe(byte[] input) {
            return "hex " + HexFormat.of().formatHex(input);
        }

        @Override
        public byte[] toBytes(byte[] input) {
            return input.clone();
        }
    }

    final class Text implements InputKind<String> {
        private Text() {}

        @Override
        public int size(String input) {
            return input.length();
        }

        @Override
        public String remove(String input, int from, int to) {
            return input.substring(0, from) + input.substring(to);
        }

        @Override
        public boolean same(String a, String b) {
            return a.equals(b);
        }

        @Override
        public String describe(String input) {
            return literal(input);
        }

        @Override
        public byte[] toBytes(String input) {
            return input.getBytes(StandardCharsets.UTF_8);
        }

        /** {@code text} as a Java string literal: printable ASCII as is, everything else escaped. */
        public static String literal(String text) {
            StringBuilder out = new StringBuilder(text.length() + 2).append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c >= 0x20 && c < 0x7f) {
                            out.append(c);
                        } else {
                            out.append(String.format("\\u%04x", (int) c));
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }
}

package org.levee.testing.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of text inputs, mostly at the level of tokens (runs of letters and digits, runs of
 * blanks, single other characters): a token deleted, duplicated, swapped with another, replaced by
 * a word of the family's dictionary or of another input; numbers replaced by huge, negative,
 * boundary or malformed ones; odd characters inserted (NUL, controls, non-ASCII, a lone surrogate,
 * quotes and operators); very long inputs (a token or the whole text repeated); truncation,
 * splicing of two inputs at token boundaries, single characters replaced; and, now and then, a
 * byte-level mutation of the UTF-8 form decoded back (replacement characters and all). Inputs never
 * grow beyond {@code maxLength} characters.
 */
public final class TextMutator implements Mutator<String> {
    /** The default cap on a mutated input's length, in characters. */
    public static final int DEFAULT_MAX_LENGTH = 1 << 16;

    private static final String[] NUMBERS = {
        "0",
        "1",
        "-1",
        "-0",
        "00",
        "007",
        "255",
        "256",
        "65535",
        "65536",
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "0x0",
        "0x7f",
        "0xff",
        "0x7fffffff",
        "0x80000000",
        "0xffffffff",
        "0x100000000",
        "0xffffffffffffffff",
        "0x",
        "1e308",
        "1e-308",
        "NaN",
        "1.5",
        "+1",
        "--1",
        "0b1",
        "1_000",
    };
    private static final String[] ODD = {
        "\0",
        "\u0001",
        "\u001b",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "\u007f",
        "\u0080",
        "\u00a0",
        "\u00ff",
        "é",
        "\u2028",
        "\ufeff",
        "\ufffd",
        "\uffff",
        "\ud800",
        "\udc00",
        "\ud83d\ude00",
        "\"",
        "'",
        "`",
        "\\",
        "%",
        "%00",
        "%zz",
        "$",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ":",
        ",",
        ".",
        "*",
        "**",
        "#",
        "-",
        "+",
        "/",
        "&",
        "|",
        "!",
        "=",
        "<",
        ">",
        "~",
        "^",
        "@",
        ";",
        "?",
        " ",
        "  ",
    };

    private final List<String> dictionary;
    private final int maxLength;

    /** A mutator whose token replacements and insertions draw from {@code dictionary} (may be empty). */
    public TextMutator(List<String> dictionary) {
        this(dictionary, DEFAULT_MAX_LENGTH);
    }

    public TextMutator(List<String> dictionary, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
        }
        this.dictionary = List.copyOf(dictionary);
        this.maxLength = maxLength;
    }

    @Override
    public String mutate(String input, String other, SplittableRandom random) {
        List<String> tokens = tokens(input);
        String out = switch (random.nextInt(20)) {
            case 0, 1 -> deleteTokens(tokens, random);
            case 2, 3 -> duplicateToken(tokens, random);
            case 4 -> swapTokens(tokens, random);
            case 5, 6 -> replaceToken(tokens, word(other, random), random);
            case 7, 8 -> insertToken(tokens, word(other, random), random);
            case 9, 10 -> replaceNumber(tokens, random);
            case 11, 12 -> insertToken(tokens, ODD[random.nextInt(ODD.length)], random);
            case 13 -> veryLong(input, tokens, random);
            case 14 -> input.isEmpty() ? input : input.substring(0, random.nextInt(input.length()));
            case 15 -> splice(tokens, tokens(other), random);
            case 16 -> replaceChar(input, random);
            case 17 -> caseChange(tokens, random);
            case 18 -> bytes(input, other, random);
            default -> insertToken(tokens, NUMBERS[random.nextInt(NUMBERS.length)], random);
        };
        return out.length() > maxLength ? out.substring(0, maxLength) : out;
    }

    /** Runs of letters and digits, runs of blanks, and every other character alone. */
    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int start = i;
            int kind = kind(text.charAt(i));
            i++;
            if (kind != 0) {
                while (i < text.length() && kind(text.charAt(i)) == kind) {
                    i++;
                }
            }
            tokens.add(text.substring(start, i));
        }
        return tokens;
    }

    /** 1 for word characters, 2 for blanks, 0 for a character that is a token on its own. */
    private static int kind(char c) {
        if (Character.isLetterOrDigit(c) || c == '_') {
            return 1;
        }
        return c == ' ' || c == '\t' ? 2 : 0;
    }

    private String word(String other, SplittableRandom random) {
        if (!dictionary.isEmpty() && (random.nextInt(3) != 0 || other.isEmpty())) {
            return dictionary.get(random.nextInt(dictionary.size()));
        }
        List<String> tokens = tokens(other);
        return tokens.isEmpty() ? "" : tokens.get(random.nextInt(tokens.size()));
    }

    private static String deleteTokens(List<String> tokens, SplittableRandom random) {
        if (tokens.isEmpty()) {
            return "";
        }
        int at = random.nextInt(tokens.size());
        int count = Math.min(tokens.size() - at, random.nextInt(4) == 0 ? 1 + random.nextInt(4) : 1);
        List<String> out = new ArrayList<>(tokens);
        out.subList(at, at + count).clear();
        return String.join("", out);
    }

    private static String duplicateToken(List<String> tokens, SplittableRandom random) {
        if (tokens.isEmpty()) {
            return "";
        }
        int at = random.nextInt(tokens.size());
        int count = Math.min(tokens.size() - at, 1 + random.nextInt(3));
        List<String> out = new ArrayList<>(tokens);
        out.addAll(at + count, tokens.subList(at, at + count));
        return String.join("", out);
    }

    private static String swapTokens(List<String> tokens, SplittableRandom random) {
        if (tokens.size() < 2) {
            return String.join("", tokens);
        }
        List<String> out = new ArrayList<>(tokens);
        int a = random.nextInt(out.size());
        int b = random.nextInt(out.size());
        String t = out.get(a);
        out.set(a, out.get(b));
        out.set(b, t);
        return String.join("", out);
    }

    private static String replaceToken(List<String> tokens, String word, SplittableRandom random) {
        if (tokens.isEmpty()) {
            return word;
        }
        List<String> out = new ArrayList<>(tokens);
        out.set(random.nextInt(out.size()), word);
        return String.join("", out);
    }

    private static String insertToken(List<String> tokens, String word, SplittableRandom random) {
        List<String> out = new ArrayList<>(tokens);
        int at = random.nextInt(out.size() + 1);
        boolean spaced = random.nextBoolean();
        out.add(at, spaced ? " " + word + " " : word);
        return String.join("", out);
    }

    /** A number (or, when there is none, any word) replaced by one that lies. */
    private static String replaceNumber(List<String> tokens, SplittableRandom random) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (Character.isDigit(tokens.get(i).charAt(0))) {
                numbers.add(i);
            }
        }
        String number = NUMBERS[random.nextInt(NUMBERS.length)];
        if (numbers.isEmpty()) {
            return replaceToken(tokens, number, random);
        }
        List<String> out = new ArrayList<>(tokens);
        out.set(numbers.get(random.nextInt(numbers.size())), number);
        return String.join("", out);
    }

    /** A token, or the whole input, repeated to hundreds or tens of thousands of characters. */
    private String veryLong(String input, List<String> tokens, SplittableRandom random) {
        int target = random.nextBoolean() ? 256 + random.nextInt(4096) : 4096 + random.nextInt(maxLength);
        if (tokens.isEmpty() || random.nextInt(3) == 0) {
            String unit = input.isEmpty() ? "a" : input;
            return unit.repeat(Math.max(1, target / unit.length()));
        }
        int at = random.nextInt(tokens.size());
        String unit = tokens.get(at);
        List<String> out = new ArrayList<>(tokens);
        out.set(at, unit.repeat(Math.max(1, target / unit.length())));
        return String.join("", out);
    }

    private static String splice(List<String> first, List<String> second, SplittableRandom random) {
        int head = random.nextInt(first.size() + 1);
        int tail = random.nextInt(second.size() + 1);
        return String.join("", first.subList(0, head)) + String.join("", second.subList(tail, second.size()));
    }

    private static String replaceChar(String input, SplittableRandom random) {
        if (input.isEmpty()) {
            return input;
        }
        char[] chars = input.toCharArray();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            chars[random.nextInt(chars.length)] =
                    random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x5f));
        }
        return new String(chars);
    }

    private static String caseChange(List<String> tokens, SplittableRandom random) {
        if (tokens.isEmpty()) {
            return "";
        }
        List<String> out = new ArrayList<>(tokens);
        int at = random.nextInt(out.size());
        out.set(
                at,
                random.nextBoolean()
                        ? out.get(at).toUpperCase(java.util.Locale.ROOT)
                        : out.get(at).toLowerCase(java.util.Locale.ROOT));
        return String.join("", out);
    }

    /** A byte-level mutation of the UTF-8 form, decoded back: what a file read from disk may hold. */
    private static String bytes(String input, String other, SplittableRandom random) {
        byte[] mutated = switch (random.nextInt(3)) {
            case 0 -> ByteMutator.flipBits(input.getBytes(StandardCharsets.UTF_8), random);
            case 1 -> ByteMutator.setBytes(input.getBytes(StandardCharsets.UTF_8), random);
            default ->
                ByteMutator.copyRange(
                        input.getBytes(StandardCharsets.UTF_8), other.getBytes(StandardCharsets.UTF_8), random);
        };
        return new String(mutated, StandardCharsets.UTF_8);
    }
}

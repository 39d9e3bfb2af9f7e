package org.levee.signatures;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A p0f v3 TCP signature, {@code ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass}, with the
 * meaning p0f gives every field (README section 5, and its matching code where the README is
 * silent). Parsing rejects, with the field named, anything p0f rejects and any combination that
 * can never match a SYN, so a generated filter is never silently empty.
 *
 * @param version     4, 6, or both
 * @param initialTtl  the initial TTL (N, or the sum for p0f's N+D form)
 * @param randomTtl   {@code N-}: the tool randomises its TTL up to N, so only TTL ≤ N is checked
 * @param ipOptions   IPv4 options length in bytes (IPv6 packets always have 0)
 * @param mss         the MSS option's value (0 = no MSS option), empty for '*'
 * @param window      the window size rule
 * @param scale       the window scale option's value (0 = none), empty for '*'
 * @param layout      the TCP option kinds in order (0 = eol, 1 = nop, 2 = mss, 3 = ws, 4 = sok,
 *                    5 = sack, 8 = ts, anything else written ?N)
 * @param eolPadding  bytes after the end-of-options option (eol+N); 0 without eol
 * @param quirks      the quirks the packet must show, exactly
 * @param payload     the payload class
 */
public record P0fSignature(
        Version version,
        int initialTtl,
        boolean randomTtl,
        int ipOptions,
        OptionalInt mss,
        Window window,
        OptionalInt scale,
        List<Integer> layout,
        int eolPadding,
        Set<P0fQuirk> quirks,
        Payload payload) {

    public enum Version {
        IPV4,
        IPV6,
        ANY
    }

    public enum Payload {
        ZERO,
        NONZERO,
        ANY
    }

    /** p0f's window size rules. */
    public sealed interface Window {
        record Any() implements Window {}

        record Fixed(int size) implements Window {}

        /** {@code %N}: a multiple of N. */
        record Multiple(int divisor) implements Window {}

        /** {@code mss*N}: N times the MSS, as p0f detects it. */
        record MssTimes(int factor) implements Window {}

        /** {@code mtu*N}: N times the MTU, as p0f detects it. */
        record MtuTimes(int factor) implements Window {}
    }

    public static final int EOL = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WS = 3;
    public static final int SOK = 4;
    public static final int SACK = 5;
    public static final int TS = 8;
    /** p0f records at most this many options (MAX_TCP_OPT). */
    public static final int MAX_OPTIONS = 24;
    /** Room for TCP options: a 60-byte header less the 20 fixed bytes. */
    public static final int MAX_OPTION_BYTES = 40;

    private static final Pattern TTL = Pattern.compile("(\\d{1,3})(?:(-)|\\+(\\d{1,3}))?");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,5}");

    public P0fSignature {
        layout = List.copyOf(layout);
        quirks = quirks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(quirks));
    }

    public boolean hasQuirk(P0fQuirk quirk) {
        return quirks.contains(quirk);
    }

    /** Parses a signature; errors name the field, e.g. "p0f signature field 'quirks' …". */
    public static P0fSignature parse(String text) {
        String[] fields = text.split(":", -1);
        if (fields.length != 8) {
            throw new SignatureException("p0f signature '" + text + "' has " + fields.length
                    + " fields separated by ':'; expected 8: ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass");
        }
        Version version = switch (fields[0]) {
            case "4" -> Version.IPV4;
            case "6" -> Version.IPV6;
            case "*" -> Version.ANY;
            default -> throw error("ver", fields[0], "expected 4, 6 or *");
        };
        Matcher ttl = TTL.matcher(fields[1]);
        if (!ttl.matches()) {
            throw error("ittl", fields[1], "expected N, N- (random TTL up to N) or N+D, N in 1..255");
        }
        int initialTtl = Integer.parseInt(ttl.group(1));
        if (ttl.group(3) != null) {
            initialTtl += Integer.parseInt(ttl.group(3));
        }
        if (initialTtl < 1 || initialTtl > 255) {
            throw error("ittl", fields[1], "the initial TTL must be within 1..255");
        }
        boolean randomTtl = ttl.group(2) != null;
        int olen = number("olen", fields[2], 0, 255);
        OptionalInt mss =
                fields[3].equals("*") ? OptionalInt.empty() : OptionalInt.of(number("mss", fields[3], 0, 65535));
        int comma = fields[4].indexOf(',');
        if (comma < 0) {
            throw error("wsize,scale", fields[4], "expected the window size and the scale separated by ','");
        }
        Window window = window(fields[4].substring(0, comma));
        String scaleText = fields[4].substring(comma + 1);
        OptionalInt scale =
                scaleText.equals("*") ? OptionalInt.empty() : OptionalInt.of(number("scale", scaleText, 0, 255));
        List<Integer> layout = new ArrayList<>();
        int eolPadding = layout(fields[5], layout);
        Set<P0fQuirk> quirks = quirks(fields[6]);
        Payload payload = switch (fields[7]) {
            case "0" -> Payload.ZERO;
            case "+" -> Payload.NONZERO;
            case "*" -> Payload.ANY;
            default -> throw error("pclass", fields[7], "expected 0, + or *");
        };
        P0fSignature signature = new P0fSignature(
                version, initialTtl, randomTtl, olen, mss, window, scale, layout, eolPadding, quirks, payload);
        signature.checkCanMatch(fields);
        return signature;
    }

    private static Window window(String text) {
        if (text.equals("*")) {
            return new Window.Any();
        }
        if (text.startsWith("%")) {
            return new Window.Multiple(number("wsize", text.substring(1), 2, 65535));
        }
        if (text.startsWith("mss*")) {
            return new Window.MssTimes(number("wsize", text.substring(4), 1, 1000));
        }
        if (text.startsWith("mtu*")) {
            return new Window.MtuTimes(number("wsize", text.substring(4), 1, 1000));
        }
        if (!NUMBER.matcher(text).matches()) {
            throw error("wsize", text, "expected N, %N, mss*N, mtu*N or *");
        }
        return new Window.Fixed(number("wsize", text, 0, 65535));
    }

    /** Fills {@code layout}; returns the eol padding. */
    private static int layout(String text, List<Integer> layout) {
        if (text.isEmpty()) {
            return 0;
        }
        String[] options = text.split(",", -1);
        if (options.length > MAX_OPTIONS) {
            throw error("olayout", text, options.length + " options; p0f records at most " + MAX_OPTIONS);
        }
        int padding = 0;
        for (int i = 0; i < options.length; i++) {
            String option = options[i];
            String where = "option " + (i + 1) + " '" + option + "'";
            if (option.startsWith("eol")) {
                if (!option.startsWith("eol+")) {
                    throw error(
                            "olayout", text, where + ": end of options is written eol+N (N bytes of padding follow)");
                }
                if (i != options.length - 1) {
                    throw error("olayout", text, where + ": eol must be the last option");
                }
                padding = number("olayout", option.substring(4), 0, 255);
                layout.add(EOL);
                continue;
            }
            switch (option) {
                case "nop" -> layout.add(NOP);
                case "mss" -> layout.add(MSS);
                case "ws" -> layout.add(WS);
                case "sok" -> layout.add(SOK);
                case "sack" -> layout.add(SACK);
                case "ts" -> layout.add(TS);
                default -> {
                    if (!option.startsWith("?")
                            || !NUMBER.matcher(option.substring(1)).matches()) {
                        throw error("olayout", text, where + ": expected eol+N, nop, mss, ws, sok, sack, ts or ?N");
                    }
                    int kind = number("olayout", option.substring(1), 0, 255);
                    if (kind == EOL
                            || kind == NOP
                            || kind == MSS
                            || kind == WS
                            || kind == SOK
                            || kind == SACK
                            || kind == TS) {
                        throw error(
                                "olayout", text, where + ": option " + kind + " has a name; write " + optionName(kind));
                    }
                    layout.add(kind);
                }
            }
        }
        return padding;
    }

    private static Set<P0fQuirk> quirks(String text) {
        Set<P0fQuirk> quirks = EnumSet.noneOf(P0fQuirk.class);
        if (text.isEmpty()) {
            return quirks;
        }
        for (String token : text.split(",", -1)) {
            P0fQuirk quirk = P0fQuirk.fromToken(token);
            if (quirk == null) {
                throw error(
                        "quirks",
                        text,
                        "'" + token + "' is not a quirk; known: df id+ id- ecn 0+ flow seq- ack+"
                                + " ack- uptr+ urgf+ pushf+ ts1- ts2+ opt+ exws linux bad");
            }
            quirks.add(quirk);
        }
        return quirks;
    }

    /** Rejects what p0f rejects and what no SYN can show. */
    private void checkCanMatch(String[] fields) {
        String q = fields[6];
        String scaleText = fields[4].substring(fields[4].indexOf(',') + 1);
        String windowText = fields[4].substring(0, fields[4].indexOf(','));
        for (P0fQuirk quirk : quirks) {
            if (version == Version.IPV6 && quirk.ipv4Only()) {
                throw error("quirks", q, "'" + quirk.token() + "' is an IPv4 quirk; this signature is for IPv6");
            }
            if (version == Version.IPV4 && quirk == P0fQuirk.FLOW) {
                throw error("quirks", q, "'flow' is an IPv6 quirk; this signature is for IPv4");
            }
        }
        if (hasQuirk(P0fQuirk.NONZERO_ID) && !hasQuirk(P0fQuirk.DF)) {
            throw error("quirks", q, "'id+' without 'df' never matches: p0f notes id+ only when DF is set");
        }
        if (hasQuirk(P0fQuirk.ZERO_ID) && hasQuirk(P0fQuirk.DF)) {
            throw error("quirks", q, "'id-' with 'df' never matches: p0f notes id- only when DF is clear");
        }
        if (hasQuirk(P0fQuirk.URGENT) && hasQuirk(P0fQuirk.NONZERO_URGENT)) {
            throw error("quirks", q, "'uptr+' with 'urgf+' never matches: uptr+ means URG is clear");
        }
        if (hasQuirk(P0fQuirk.ZERO_ACK)) {
            throw error("quirks", q, "'ack-' needs the ACK flag, and these filters match SYNs without ACK");
        }
        requireOption(P0fQuirk.ZERO_TS1, TS, "ts");
        requireOption(P0fQuirk.NONZERO_TS2, TS, "ts");
        requireOption(P0fQuirk.LINUX, TS, "ts");
        requireOption(P0fQuirk.EXCESSIVE_WSCALE, WS, "ws");
        if (hasQuirk(P0fQuirk.OPTIONS_PAST_EOL) && (!layout.contains(EOL) || eolPadding == 0)) {
            throw error("quirks", q, "'opt+' needs eol+N with N > 0 in olayout (the bytes after eol)");
        }
        if (mss.isPresent() && mss.getAsInt() != 0 && !layout.contains(MSS)) {
            throw error("mss", fields[3], "a non-zero MSS needs mss in olayout");
        }
        if (scale.isPresent() && scale.getAsInt() != 0 && !layout.contains(WS)) {
            throw error("scale", scaleText, "a non-zero window scale needs ws in olayout");
        }
        if (scale.isPresent() && scale.getAsInt() > 14 && !hasQuirk(P0fQuirk.EXCESSIVE_WSCALE)) {
            throw error("scale", scaleText, "a scale above 14 always shows the 'exws' quirk; add it");
        }
        if (scale.isPresent()
                && scale.getAsInt() <= 14
                && hasQuirk(P0fQuirk.EXCESSIVE_WSCALE)
                && layout.stream().filter(kind -> kind == WS).count() == 1) {
            throw error("scale", scaleText, "'exws' means a scale above 14");
        }
        if (version != Version.IPV6 && (ipOptions % 4 != 0 || ipOptions > 40)) {
            throw error("olen", fields[2], "IPv4 options come in 4-byte words, at most 40 bytes");
        }
        if (version == Version.IPV6 && ipOptions != 0) {
            throw error("olen", fields[2], "p0f counts no options for IPv6: olen is always 0");
        }
        int minimum = minimumOptionBytes();
        if (minimum > MAX_OPTION_BYTES) {
            throw error(
                    "olayout",
                    fields[5],
                    "the options take at least " + minimum + " bytes; a TCP header has room for " + MAX_OPTION_BYTES);
        }
        if (window instanceof Window.MssTimes || window instanceof Window.MtuTimes) {
            if (!layout.contains(MSS)) {
                throw error("wsize", windowText, "mss*N and mtu*N need mss in olayout (p0f needs an MSS ≥ 100)");
            }
            if (mss.isPresent() && mss.getAsInt() < 100) {
                throw error("wsize", windowText, "mss*N and mtu*N never match an MSS below 100 (p0f)");
            }
        }
    }

    private void requireOption(P0fQuirk quirk, int kind, String name) {
        if (hasQuirk(quirk) && !layout.contains(kind)) {
            throw new SignatureException(
                    "p0f signature field 'quirks': '" + quirk.token() + "' needs " + name + " in olayout");
        }
    }

    /** The fewest option bytes a matching SYN has; with 'bad' the last option may be cut short. */
    int minimumOptionBytes() {
        int bytes = 0;
        for (int i = 0; i < layout.size(); i++) {
            int kind = layout.get(i);
            boolean mayBeCut = hasQuirk(P0fQuirk.BAD_OPTIONS) && i == layout.size() - 1 && kind != EOL;
            bytes += mayBeCut ? 1 : optionSize(kind) + (kind == EOL ? eolPadding : 0);
        }
        return bytes;
    }

    /** The size p0f's parser steps over for a known option, or the least for a sized one. */
    static int optionSize(int kind) {
        return switch (kind) {
            case EOL, NOP -> 1;
            case MSS -> 4;
            case WS -> 3;
            case SOK -> 2;
            case SACK, TS -> 10;
            default -> 2;
        };
    }

    public static String optionName(int kind) {
        return switch (kind) {
            case EOL -> "eol";
            case NOP -> "nop";
            case MSS -> "mss";
            case WS -> "ws";
            case SOK -> "sok";
            case SACK -> "sack";
            case TS -> "ts";
            default -> "?" + kind;
        };
    }

    private static int number(String field, String text, int min, int max) {
        if (!NUMBER.matcher(text).matches()) {
            throw error(field, text, "expected a number within " + min + ".." + max);
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw error(field, text, value + " is outside " + min + ".." + max);
        }
        return value;
    }

    private static SignatureException error(String field, String value, String why) {
        return new SignatureException("p0f signature field '" + field + "' ('" + value + "'): " + why);
    }
}

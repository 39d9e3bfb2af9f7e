package org.levee.testing.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * A toy format for testing the harness: records of a type byte, a big-endian 16-bit length and
 * that many value bytes. {@link #parse} checks everything; {@link #parseTrustingLengths} is the
 * classic bug, trusting a length field.
 */
final class Tlv {
    private Tlv() {}

    static final class FormatException extends Exception {
        FormatException(int offset, String problem) {
            this("at offset " + offset + ": " + problem);
        }

        FormatException(String message) {
            super(message);
        }
    }

    record Record(int type, byte[] value) {}

    static List<Record> parse(byte[] bytes) throws FormatException {
        List<Record> records = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 3) {
                throw new FormatException(at, "truncated record header");
            }
            int length = (bytes[at + 1] & 0xff) << 8 | bytes[at + 2] & 0xff;
            if (length > bytes.length - at - 3) {
                throw new FormatException(at + 1, "length " + length + " runs past the end");
            }
            byte[] value = new byte[length];
            System.arraycopy(bytes, at + 3, value, 0, length);
            records.add(new Record(bytes[at] & 0xff, value));
            at += 3 + length;
        }
        return records;
    }

    static List<Record> parseTrustingLengths(byte[] bytes) throws FormatException {
        List<Record> records = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 3) {
                throw new FormatException(at, "truncated record header");
            }
            int length = (bytes[at + 1] & 0xff) << 8 | bytes[at + 2] & 0xff;
            byte[] value = new byte[length];
            System.arraycopy(bytes, at + 3, value, 0, length);
            records.add(new Record(bytes[at] & 0xff, value));
            at += 3 + length;
        }
        return records;
    }

    static byte[] encode(int... typesAndLengths) {
        int size = 0;
        for (int i = 1; i < typesAndLengths.length; i += 2) {
            size += 3 + typesAndLengths[i];
        }
        byte[] out = new byte[size];
        int at = 0;
        for (int i = 0; i < typesAndLengths.length; i += 2) {
            int length = typesAndLengths[i + 1];
            out[at] = (byte) typesAndLengths[i];
            out[at + 1] = (byte) (length >> 8);
            out[at + 2] = (byte) length;
            for (int b = 0; b < length; b++) {
                out[at + 3 + b] = (byte) ('a' + b % 26);
            }
            at += 3 + length;
        }
        return out;
    }
}

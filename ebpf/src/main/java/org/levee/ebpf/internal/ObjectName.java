package org.levee.ebpf.internal;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** BPF object names (maps, programs): at most 15 characters from [A-Za-z0-9_.], NUL-terminated. */
public final class ObjectName {
    private ObjectName() {}

    public static final int MAX_LENGTH = 15;

    /** Throws naming the offending character and its index when {@code name} is not a valid object name. */
    public static String check(String name, String what) {
        if (name == null) {
            throw new IllegalArgumentException(what + " name is null (use \"\" for no name)");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " name '" + name + "' has " + name.length()
                    + " characters; the kernel allows at most " + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException(what + " name '" + name + "' has '" + c + "' at index " + i
                        + "; the kernel allows only letters, digits, '_' and '.'");
            }
        }
        return name;
    }

    /** Writes the name NUL-padded into the 16-byte field at {@code offset}. */
    public static void write(MemorySegment attr, long offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, attr, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, bytes.length);
    }

    /** Reads a NUL-terminated name of at most 16 bytes at {@code offset}. */
    public static String read(MemorySegment info, long offset) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < MAX_LENGTH + 1; i++) {
            byte b = info.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i);
            if (b == 0) {
                break;
            }
            s.append((char) b);
        }
        return s.toString();
    }
}

package org.levee.ebpf.elf;

/** Checks for section and symbol names: ELF stores them NUL-terminated. */
final class Names {
    private Names() {}

    static void require(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " name must not be " + (name == null ? "null" : "empty"));
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    what + " name '" + name.replace("\0", "\\0") + "' contains a NUL character");
        }
    }
}

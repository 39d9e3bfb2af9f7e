package org.levee.ebpf.asm;

import java.util.Arrays;

/**
 * The opcodes of the eBPF instruction set, copied by hand from the opcode table of
 * Documentation/bpf/standardization/instruction-set.rst (plus may_goto, 0xe5, and the
 * load-acquire/store-release sizes B and H of 0xcb/0xd3 from Linux 6.15, plus the kernel-internal
 * nospec, 0xc2, which xlated dumps contain) — independent of the enums under test.
 */
public final class SpecOpcodes {
    private SpecOpcodes() {}

    public static final int[] ALL = parse("""
            07 17 27 37 47 57 67 77 87 97 a7 b7 c7 d7
            0f 1f 2f 3f 4f 5f 6f 7f    9f af bf cf
            04 14 24 34 44 54 64 74 84 94 a4 b4 c4 d4
            0c 1c 2c 3c 4c 5c 6c 7c    9c ac bc cc dc
            05 15 25 35 45 55 65 75 85 95 a5 b5 c5 d5 e5
               1d 2d 3d 4d 5d 6d 7d       ad bd cd dd
            06 16 26 36 46 56 66 76       a6 b6 c6 d6
               1e 2e 3e 4e 5e 6e 7e       ae be ce de
            18 20 28 30 40 48 50
            61 69 71 79 81 89 91
            62 6a 72 7a c2
            63 6b 73 7b c3 cb d3 db
            """);

    private static int[] parse(String table) {
        return Arrays.stream(table.trim().split("\\s+"))
                .mapToInt(hex -> Integer.parseInt(hex, 16))
                .sorted()
                .toArray();
    }

    static boolean contains(int opcode) {
        return Arrays.binarySearch(ALL, opcode) >= 0;
    }
}

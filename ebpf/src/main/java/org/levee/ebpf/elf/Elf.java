package org.levee.ebpf.elf;

/** Numbers of the ELF64 format (System V gABI, elf.h) that BPF objects use. */
final class Elf {
    private Elf() {}

    static final int EHDR_SIZE = 64;
    static final int SHDR_SIZE = 64;
    static final int SYM_SIZE = 24;
    static final int REL_SIZE = 16;

    static final byte ELFCLASS64 = 2;
    static final byte ELFDATA2LSB = 1;
    static final byte EV_CURRENT = 1;
    static final int ET_REL = 1;
    static final int EM_BPF = 247;

    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_REL = 9;

    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;
    static final long SHF_INFO_LINK = 0x40;

    static final int STB_LOCAL = 0;
    static final int STB_GLOBAL = 1;
    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int SHN_UNDEF = 0;

    /** R_BPF_64_64: the 64-bit immediate of an LD_IMM64 gets the symbol's value (address or fd). */
    static final int R_BPF_64_64 = 1;
    /**
     * R_BPF_NONE: a linker changes nothing at the site. Levee writes it for a guard (see
     * {@link org.levee.ebpf.asm.Relocation.Kind#GUARD}): the jump in the file is the guard's
     * disabled form, which carries the distance to skip; only a loader that knows the symbol's
     * value rewrites it when the value is not 0, to {@code goto +0} or the never-taken
     * {@code if rX < 0 goto}. readelf prints the type by name, and a tool that knows no guards
     * leaves the (disabled) site as it is.
     */
    static final int R_BPF_NONE = 0;

    static int symbolInfo(int bind, int type) {
        return bind << 4 | type;
    }
}

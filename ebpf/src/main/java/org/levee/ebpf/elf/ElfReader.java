package org.levee.ebpf.elf;

import static org.levee.ebpf.elf.Elf.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.InstructionFormatException;
import org.levee.ebpf.asm.LoadSource;
import org.levee.ebpf.asm.Relocation;

/**
 * Reads the objects {@link ElfWriter} writes (ELF64 little-endian ET_REL for EM_BPF) back into a
 * {@link BpfObject}. Executable sections are programs, {@code .rel<section>} their relocations
 * (R_BPF_64_64 on an LD_IMM64 of a map or constant, R_BPF_NONE on a guard of a constant),
 * {@code license}, {@code maps} and {@code .levee.constants} what their names say, and any other
 * PROGBITS section opaque data. Every inconsistency is an {@link ElfFormatException} naming the
 * section, symbol or relocation entry.
 */
public final class ElfReader {
    private ElfReader() {}

    private record SectionHeader(
            int index, String name, int type, long flags, long offset, long size, int link, int info, long entrySize) {}

    private record Symbol(int index, String name, int bind, int type, int section, long value, long size) {}

    public static BpfObject read(byte[] file) {
        ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        readHeader(elf, file.length);
        List<SectionHeader> sections = readSectionHeaders(elf, file);

        List<SectionHeader> symbolTables =
                sections.stream().filter(s -> s.type == SHT_SYMTAB).toList();
        if (symbolTables.size() != 1) {
            throw new ElfFormatException("expected one symbol table (SHT_SYMTAB), found " + symbolTables.size());
        }
        List<Symbol> symbols = readSymbols(file, symbolTables.getFirst(), sections);

        String license = null;
        List<ProgramSection> programs = new ArrayList<>();
        List<MapDefinition> maps = new ArrayList<>();
        List<PatchableConstant> constants = new ArrayList<>();
        List<DataSection> data = new ArrayList<>();
        for (SectionHeader section : sections) {
            if (section.type == SHT_NULL
                    || section.type == SHT_SYMTAB
                    || section.type == SHT_STRTAB
                    || section.type == SHT_REL) {
                continue;
            }
            if (section.type != SHT_PROGBITS) {
                throw new ElfFormatException(describe(section) + ": unsupported section type " + section.type);
            }
            byte[] content = contents(file, section);
            try {
                if ((section.flags & SHF_EXECINSTR) != 0) {
                    programs.add(readProgram(file, section, content, sections, symbols));
                } else if (section.name.equals(ElfWriter.LICENSE_SECTION)) {
                    license = readLicense(section, content);
                } else if (section.name.equals(ElfWriter.MAPS_SECTION)) {
                    maps.addAll(readMaps(section, content, symbols));
                } else if (section.name.equals(ElfWriter.CONSTANTS_SECTION)) {
                    constants.addAll(readConstants(section, content, symbols));
                } else {
                    data.add(new DataSection(section.name, content));
                }
            } catch (ElfFormatException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                // The model refused what the file says (an empty name, a relocation on no ld_imm64, ...).
                throw new ElfFormatException(describe(section) + ": " + e.getMessage(), e);
            }
        }
        if (license == null) {
            throw new ElfFormatException("no '" + ElfWriter.LICENSE_SECTION + "' section");
        }
        try {
            return new BpfObject(license, programs, maps, constants, data);
        } catch (IllegalArgumentException e) {
            throw new ElfFormatException("inconsistent object: " + e.getMessage(), e);
        }
    }

    private static void readHeader(ByteBuffer elf, int length) {
        if (length < EHDR_SIZE) {
            throw new ElfFormatException("file of " + length + " bytes is shorter than an ELF64 header (64)");
        }
        if (elf.getInt(0) != 0x464c457f) {
            throw new ElfFormatException("no ELF magic (7f 45 4c 46) at offset 0");
        }
        requireField("EI_CLASS", elf.get(4), ELFCLASS64, "ELFCLASS64");
        requireField("EI_DATA", elf.get(5), ELFDATA2LSB, "ELFDATA2LSB (little-endian)");
        requireField("e_type", elf.getShort(16), ET_REL, "ET_REL (relocatable)");
        requireField("e_machine", elf.getShort(18) & 0xffff, EM_BPF, "EM_BPF");
        requireField("e_shentsize", elf.getShort(58), SHDR_SIZE, "the ELF64 section header size");
    }

    private static void requireField(String field, int actual, int expected, String meaning) {
        if (actual != expected) {
            throw new ElfFormatException(
                    "ELF header field " + field + " is " + actual + ", expected " + expected + " (" + meaning + ")");
        }
    }

    private static List<SectionHeader> readSectionHeaders(ByteBuffer elf, byte[] file) {
        long shoff = elf.getLong(40);
        int shnum = elf.getShort(60) & 0xffff;
        int shstrndx = elf.getShort(62) & 0xffff;
        if (shoff < 0 || shoff > file.length || (long) shnum * SHDR_SIZE > file.length - shoff) {
            throw new ElfFormatException("section header table (offset " + shoff + ", " + shnum
                    + " entries) extends past the end of the file (" + file.length + " bytes)");
        }
        if (shstrndx >= shnum) {
            throw new ElfFormatException("e_shstrndx " + shstrndx + " is not a section (there are " + shnum + ")");
        }
        int namesHeader = (int) (shoff + (long) shstrndx * SHDR_SIZE);
        long namesOffset = elf.getLong(namesHeader + 24);
        long namesSize = elf.getLong(namesHeader + 32);
        requireInFile(file, shstrndx, namesOffset, namesSize);
        byte[] names = Arrays.copyOfRange(file, (int) namesOffset, (int) (namesOffset + namesSize));
        List<SectionHeader> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            // Elf64_Shdr: name 0, type 4, flags 8, addr 16, offset 24, size 32, link 40, info 44, addralign 48, entsize
            // 56.
            int at = (int) (shoff + (long) i * SHDR_SIZE);
            int type = elf.getInt(at + 4);
            long offset = elf.getLong(at + 24);
            long size = elf.getLong(at + 32);
            if (type != SHT_NULL) {
                requireInFile(file, i, offset, size);
            }
            String name = string(names, elf.getInt(at) & 0xffffffffL, "name of section " + i);
            sections.add(new SectionHeader(
                    i,
                    name,
                    type,
                    elf.getLong(at + 8),
                    offset,
                    size,
                    elf.getInt(at + 40),
                    elf.getInt(at + 44),
                    elf.getLong(at + 56)));
        }
        return sections;
    }

    private static void requireInFile(byte[] file, int section, long offset, long size) {
        // size > length - offset rather than offset + size > length, which wraps for huge values
        if (offset < 0 || size < 0 || offset > file.length || size > file.length - offset) {
            throw new ElfFormatException("section " + section + ": contents (offset " + offset + ", size " + size
                    + ") extend past the end of the file (" + file.length + " bytes)");
        }
    }

    private static List<Symbol> readSymbols(byte[] file, SectionHeader symtab, List<SectionHeader> sections) {
        if (symtab.entrySize != SYM_SIZE || symtab.size % SYM_SIZE != 0) {
            throw new ElfFormatException(describe(symtab) + ": entry size " + symtab.entrySize + " and size "
                    + symtab.size + " do not make ELF64 symbols of " + SYM_SIZE + " bytes");
        }
        if (symtab.link <= 0 || symtab.link >= sections.size() || sections.get(symtab.link).type != SHT_STRTAB) {
            throw new ElfFormatException(describe(symtab) + ": sh_link " + symtab.link + " is not a string table");
        }
        byte[] names = contents(file, sections.get(symtab.link));
        ByteBuffer table = ByteBuffer.wrap(contents(file, symtab)).order(ByteOrder.LITTLE_ENDIAN);
        List<Symbol> symbols = new ArrayList<>();
        for (int i = 0; i < symtab.size / SYM_SIZE; i++) {
            int at = i * SYM_SIZE;
            int info = table.get(at + 4) & 0xff;
            int section = table.getShort(at + 6) & 0xffff;
            String name = string(names, table.getInt(at) & 0xffffffffL, "name of symbol " + i);
            if (section >= sections.size() && section < 0xff00) {
                throw new ElfFormatException(
                        "symbol " + i + " '" + name + "': section index " + section + " is not a section");
            }
            symbols.add(new Symbol(
                    i, name, info >>> 4, info & 0xf, section, table.getLong(at + 8), table.getLong(at + 16)));
        }
        return symbols;
    }

    private static ProgramSection readProgram(
            byte[] file, SectionHeader section, byte[] content, List<SectionHeader> sections, List<Symbol> symbols) {
        List<Instruction> instructions;
        try {
            instructions = new ArrayList<>(InstructionCodec.decode(content));
        } catch (InstructionFormatException e) {
            throw new ElfFormatException(describe(section) + ": " + e.getMessage(), e);
        }
        List<Symbol> functions = symbols.stream()
                .filter(s -> s.section == section.index && s.type == STT_FUNC && s.bind == STB_GLOBAL)
                .toList();
        if (functions.size() != 1 || functions.getFirst().value != 0) {
            throw new ElfFormatException(describe(section) + ": expected one global FUNC symbol at offset 0, found "
                    + functions.stream()
                            .map(s -> "'" + s.name + "' at " + s.value)
                            .toList());
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (Symbol symbol : symbols) {
            if (symbol.section == section.index
                    && symbol.bind == STB_LOCAL
                    && symbol.type == STT_NOTYPE
                    && !symbol.name.isEmpty()) {
                if (symbol.value < 0
                        || symbol.value % InstructionCodec.SLOT_BYTES != 0
                        || symbol.value > content.length) {
                    throw new ElfFormatException(describe(section) + ": label '" + symbol.name + "' at offset "
                            + symbol.value + " is not at an instruction");
                }
                if (labels.put(symbol.name, (int) (symbol.value / InstructionCodec.SLOT_BYTES)) != null) {
                    throw new ElfFormatException(describe(section) + ": label '" + symbol.name + "' is defined twice");
                }
            }
        }

        Map<Integer, Integer> indexBySlot = InstructionCodec.indexBySlot(instructions);
        List<Relocation> relocations = new ArrayList<>();
        for (SectionHeader rel : sections) {
            if (rel.type != SHT_REL || rel.info != section.index) {
                continue;
            }
            if (rel.entrySize != REL_SIZE || rel.size % REL_SIZE != 0) {
                throw new ElfFormatException(describe(rel) + ": entry size " + rel.entrySize + " and size " + rel.size
                        + " do not make ELF64 REL entries of " + REL_SIZE + " bytes");
            }
            ByteBuffer entries = ByteBuffer.wrap(contents(file, rel)).order(ByteOrder.LITTLE_ENDIAN);
            for (int e = 0; e < rel.size / REL_SIZE; e++) {
                relocations.add(readRelocation(
                        section,
                        rel,
                        e,
                        entries.getLong(e * REL_SIZE),
                        entries.getLong(e * REL_SIZE + 8),
                        symbols,
                        sections,
                        instructions,
                        indexBySlot));
            }
        }
        // In slot order, as the writer writes them: a file may list them in any order, and the
        // object read must not depend on it.
        relocations.sort(java.util.Comparator.comparingInt(Relocation::slot));
        AssembledProgram program = new AssembledProgram(instructions, relocations, labels);
        return new ProgramSection(section.name, functions.getFirst().name, program);
    }

    private static Relocation readRelocation(
            SectionHeader section,
            SectionHeader rel,
            int entry,
            long offset,
            long info,
            List<Symbol> symbols,
            List<SectionHeader> sections,
            List<Instruction> instructions,
            Map<Integer, Integer> indexBySlot) {
        String where = describe(rel) + " entry " + entry;
        int type = (int) info;
        if (type != R_BPF_64_64 && type != R_BPF_NONE) {
            throw new ElfFormatException(where + ": relocation type " + type
                    + " is neither R_BPF_64_64 (1, an ld_imm64) nor R_BPF_NONE (0, a guard)");
        }
        long symbolIndex = info >>> 32;
        if (symbolIndex <= 0 || symbolIndex >= symbols.size()) {
            throw new ElfFormatException(where + ": symbol index " + symbolIndex + " is not a symbol");
        }
        Symbol symbol = symbols.get((int) symbolIndex);
        Integer index = offset % InstructionCodec.SLOT_BYTES == 0
                ? indexBySlot.get((int) (offset / InstructionCodec.SLOT_BYTES))
                : null;
        if (symbol.section >= sections.size()) {
            throw new ElfFormatException(where + ": symbol '" + symbol.name + "' has the special section index 0x"
                    + Integer.toHexString(symbol.section) + ", neither a map nor a constant");
        }
        String symbolSection = symbol.section == SHN_UNDEF ? "" : sections.get(symbol.section).name;
        boolean constant = symbol.section == SHN_UNDEF || symbolSection.equals(ElfWriter.CONSTANTS_SECTION);
        if (type == R_BPF_NONE) {
            if (index == null || !Relocation.isGuardJump(instructions.get(index))) {
                throw new ElfFormatException(where + ": offset " + offset + " in " + describe(section)
                        + " is not a guard jump (if rX >= 0 goto +off, off >= 0) for R_BPF_NONE");
            }
            if (!constant) {
                throw new ElfFormatException(where + ": guard symbol '" + symbol.name + "' is in section '"
                        + symbolSection + "', not a constant");
            }
            return new Relocation((int) (offset / InstructionCodec.SLOT_BYTES), symbol.name, Relocation.Kind.GUARD);
        }
        if (index == null || !instructions.get(index).isLdImm64()) {
            throw new ElfFormatException(
                    where + ": offset " + offset + " in " + describe(section) + " is not an ld_imm64");
        }
        Instruction load = instructions.get(index);
        if (load.src() != LoadSource.CONSTANT.value() || load.imm() != 0) {
            // An immediate would be an implicit addend, which the loader does not apply: refuse it
            // rather than lose it (the writer writes src 0, imm 0 here).
            throw new ElfFormatException(
                    where + ": the ld_imm64 at offset " + offset + " in " + describe(section) + " has src " + load.src()
                            + " and immediate " + load.imm() + "; a relocated one has src 0 and immediate 0");
        }
        Relocation.Kind kind;
        if (symbolSection.equals(ElfWriter.MAPS_SECTION)) {
            kind = Relocation.Kind.MAP;
            instructions.set(index, instructions.get(index).withSrc(LoadSource.MAP_FD.value()));
        } else if (constant) {
            kind = Relocation.Kind.CONSTANT;
        } else {
            throw new ElfFormatException(where + ": symbol '" + symbol.name + "' is in section '" + symbolSection
                    + "', neither a map nor a constant");
        }
        return new Relocation((int) (offset / InstructionCodec.SLOT_BYTES), symbol.name, kind);
    }

    private static String readLicense(SectionHeader section, byte[] content) {
        int end = 0;
        while (end < content.length && content[end] != 0) {
            end++;
        }
        if (end == content.length) {
            throw new ElfFormatException(describe(section) + ": license is not NUL-terminated");
        }
        return new String(content, 0, end, StandardCharsets.UTF_8);
    }

    private static List<MapDefinition> readMaps(SectionHeader section, byte[] content, List<Symbol> symbols) {
        ByteBuffer maps = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        List<MapDefinition> definitions = new ArrayList<>();
        for (Symbol symbol : symbolsIn(section, symbols, MapDefinition.SIZE, content.length)) {
            int at = (int) symbol.value;
            definitions.add(new MapDefinition(
                    symbol.name,
                    maps.getInt(at),
                    maps.getInt(at + 4),
                    maps.getInt(at + 8),
                    maps.getInt(at + 12),
                    maps.getInt(at + 16)));
        }
        return definitions;
    }

    private static List<PatchableConstant> readConstants(SectionHeader section, byte[] content, List<Symbol> symbols) {
        ByteBuffer constants = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        return symbolsIn(section, symbols, PatchableConstant.SIZE, content.length).stream()
                .map(symbol -> new PatchableConstant(symbol.name, constants.getLong((int) symbol.value)))
                .toList();
    }

    /** The OBJECT symbols of a section of fixed-size records, in offset order, each checked to lie on a record. */
    private static List<Symbol> symbolsIn(SectionHeader section, List<Symbol> symbols, int recordSize, int length) {
        List<Symbol> found = symbols.stream()
                .filter(s -> s.section == section.index && s.type == STT_OBJECT)
                .sorted(java.util.Comparator.comparingLong(Symbol::value))
                .toList();
        for (Symbol symbol : found) {
            if (symbol.value < 0
                    || symbol.value % recordSize != 0
                    || symbol.value > length - recordSize
                    || symbol.size != recordSize) {
                throw new ElfFormatException(
                        describe(section) + ": symbol '" + symbol.name + "' (offset " + symbol.value + ", size "
                                + symbol.size + ") is not one of its " + recordSize + "-byte records");
            }
        }
        return found;
    }

    private static byte[] contents(byte[] file, SectionHeader section) {
        return Arrays.copyOfRange(file, (int) section.offset, (int) (section.offset + section.size));
    }

    private static String string(byte[] table, long offset, String what) {
        if (offset < 0 || offset >= table.length) {
            throw new ElfFormatException(
                    what + ": string offset " + offset + " is outside the string table (" + table.length + " bytes)");
        }
        int end = (int) offset;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        if (end == table.length) {
            throw new ElfFormatException(what + ": string at offset " + offset + " is not NUL-terminated");
        }
        return new String(table, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }

    private static String describe(SectionHeader section) {
        return "section " + section.index + " '" + section.name + "'";
    }
}

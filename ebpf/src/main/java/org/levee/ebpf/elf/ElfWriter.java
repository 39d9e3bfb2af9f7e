package org.levee.ebpf.elf;

import static org.levee.ebpf.elf.Elf.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.LoadSource;
import org.levee.ebpf.asm.Relocation;

/**
 * Writes a {@link BpfObject} as an ELF64 little-endian relocatable object for EM_BPF.
 *
 * <p>Layout: the ELF header; the sections in the order program, its {@code .rel<program>},
 * {@code license}, {@code maps}, {@code .levee.constants}, data sections, {@code .symtab},
 * {@code .strtab} (section and symbol names share one string table, as LLVM does); the section
 * header table last. Labels become local NOTYPE symbols in their program's section (so
 * {@code llvm-objdump -d} prints them); programs are global FUNC symbols; maps, constants and
 * the license ({@code _license}) global OBJECTs. Relocated LD_IMM64s are written with src 0
 * and imm 0, as clang writes them, with an R_BPF_64_64 relocation; {@link ElfReader} restores
 * the pseudo source of map loads. Guards are written in their disabled form (the jump over the
 * code they guard) with an R_BPF_NONE relocation against their constant.
 *
 * <p>The output depends only on the object: equal objects give identical bytes.
 */
public final class ElfWriter {
    private ElfWriter() {}

    static final String LICENSE_SECTION = "license";
    static final String LICENSE_SYMBOL = "_license";
    static final String MAPS_SECTION = "maps";
    static final String CONSTANTS_SECTION = ".levee.constants";
    static final String RELOCATIONS_PREFIX = ".rel";
    static final String[] RESERVED_SECTIONS = {
        "", ".symtab", ".strtab", LICENSE_SECTION, MAPS_SECTION, CONSTANTS_SECTION
    };

    /** One section to write; {@code link} and {@code info} are section indices or symbol counts. */
    private record Section(
            String name, int type, long flags, int link, int info, int align, int entrySize, byte[] content) {}

    private record Symbol(String name, int info, int section, long value, long size) {}

    public static byte[] write(BpfObject object) {
        Strings strings = new Strings();

        // Section indices first: relocation sections and symbols refer to them.
        int next = 1;
        Map<String, Integer> programIndex = new LinkedHashMap<>();
        Map<String, Integer> relocationIndex = new LinkedHashMap<>();
        for (ProgramSection program : object.programs()) {
            programIndex.put(program.section(), next++);
            if (!program.program().relocations().isEmpty()) {
                relocationIndex.put(program.section(), next++);
            }
        }
        int licenseIndex = next++;
        int mapsIndex = object.maps().isEmpty() ? SHN_UNDEF : next++;
        int constantsIndex = object.constants().isEmpty() ? SHN_UNDEF : next++;
        int firstDataIndex = next;
        next += object.dataSections().size();
        int symtabIndex = next++;
        int strtabIndex = next;

        // Symbols: locals (labels) first, as the symbol table's sh_info requires.
        List<Symbol> symbols = new ArrayList<>();
        symbols.add(new Symbol("", 0, SHN_UNDEF, 0, 0));
        for (ProgramSection program : object.programs()) {
            int section = programIndex.get(program.section());
            program.program().labels().entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(label -> symbols.add(new Symbol(
                            label.getKey(),
                            symbolInfo(STB_LOCAL, STT_NOTYPE),
                            section,
                            (long) label.getValue() * InstructionCodec.SLOT_BYTES,
                            0)));
        }
        int firstGlobal = symbols.size();
        for (ProgramSection program : object.programs()) {
            symbols.add(new Symbol(
                    program.name(),
                    symbolInfo(STB_GLOBAL, STT_FUNC),
                    programIndex.get(program.section()),
                    0,
                    (long) program.program().slotCount() * InstructionCodec.SLOT_BYTES));
        }
        byte[] license = (object.license() + "\0").getBytes(StandardCharsets.UTF_8);
        symbols.add(new Symbol(LICENSE_SYMBOL, symbolInfo(STB_GLOBAL, STT_OBJECT), licenseIndex, 0, license.length));
        for (int i = 0; i < object.maps().size(); i++) {
            symbols.add(new Symbol(
                    object.maps().get(i).name(),
                    symbolInfo(STB_GLOBAL, STT_OBJECT),
                    mapsIndex,
                    (long) i * MapDefinition.SIZE,
                    MapDefinition.SIZE));
        }
        for (int i = 0; i < object.constants().size(); i++) {
            symbols.add(new Symbol(
                    object.constants().get(i).name(),
                    symbolInfo(STB_GLOBAL, STT_OBJECT),
                    constantsIndex,
                    (long) i * PatchableConstant.SIZE,
                    PatchableConstant.SIZE));
        }
        Map<String, Integer> globalIndex = new LinkedHashMap<>();
        for (int i = firstGlobal; i < symbols.size(); i++) {
            globalIndex.put(symbols.get(i).name(), i);
        }
        for (ProgramSection program : object.programs()) {
            for (Relocation relocation : program.program().relocations()) {
                if (!globalIndex.containsKey(relocation.symbol())) {
                    globalIndex.put(relocation.symbol(), symbols.size());
                    symbols.add(new Symbol(relocation.symbol(), symbolInfo(STB_GLOBAL, STT_NOTYPE), SHN_UNDEF, 0, 0));
                }
            }
        }

        List<Section> sections = new ArrayList<>();
        for (ProgramSection program : object.programs()) {
            sections.add(new Section(
                    program.section(),
                    SHT_PROGBITS,
                    SHF_ALLOC | SHF_EXECINSTR,
                    0,
                    0,
                    8,
                    0,
                    InstructionCodec.encode(clearRelocated(program.program()))));
            if (relocationIndex.containsKey(program.section())) {
                LittleEndianOutput rel = new LittleEndianOutput();
                program.program().relocations().stream()
                        .sorted(Comparator.comparingInt(Relocation::slot))
                        .forEach(r -> rel.u64((long) r.slot() * InstructionCodec.SLOT_BYTES)
                                .u64((long) globalIndex.get(r.symbol()) << 32
                                        | (r.kind() == Relocation.Kind.GUARD ? R_BPF_NONE : R_BPF_64_64)));
                sections.add(new Section(
                        RELOCATIONS_PREFIX + program.section(),
                        SHT_REL,
                        SHF_INFO_LINK,
                        symtabIndex,
                        programIndex.get(program.section()),
                        8,
                        REL_SIZE,
                        rel.toByteArray()));
            }
        }
        sections.add(new Section(LICENSE_SECTION, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0, 0, 1, 0, license));
        if (mapsIndex != SHN_UNDEF) {
            LittleEndianOutput maps = new LittleEndianOutput();
            object.maps()
                    .forEach(m -> maps.u32(m.type())
                            .u32(m.keySize())
                            .u32(m.valueSize())
                            .u32(m.maxEntries())
                            .u32(m.flags()));
            sections.add(
                    new Section(MAPS_SECTION, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0, 0, 4, 0, maps.toByteArray()));
        }
        if (constantsIndex != SHN_UNDEF) {
            LittleEndianOutput constants = new LittleEndianOutput();
            object.constants().forEach(c -> constants.u64(c.defaultValue()));
            sections.add(new Section(CONSTANTS_SECTION, SHT_PROGBITS, SHF_ALLOC, 0, 0, 8, 0, constants.toByteArray()));
        }
        for (DataSection data : object.dataSections()) {
            sections.add(new Section(data.name(), SHT_PROGBITS, 0, 0, 0, 1, 0, data.data()));
        }
        LittleEndianOutput symtab = new LittleEndianOutput();
        for (Symbol symbol : symbols) {
            symtab.u32(strings.offset(symbol.name))
                    .u8(symbol.info)
                    .u8(0)
                    .u16(symbol.section)
                    .u64(symbol.value)
                    .u64(symbol.size);
        }
        sections.add(
                new Section(".symtab", SHT_SYMTAB, 0, strtabIndex, firstGlobal, 8, SYM_SIZE, symtab.toByteArray()));
        // Every section name goes into the string table before it is written.
        sections.forEach(s -> strings.offset(s.name));
        strings.offset(".strtab");
        sections.add(new Section(".strtab", SHT_STRTAB, 0, 0, 0, 1, 0, strings.bytes()));

        return layout(sections, strings, strtabIndex);
    }

    /** The program's instructions with each relocated LD_IMM64 cleared to src 0, imm 0 (guards stay as they are). */
    private static List<Instruction> clearRelocated(AssembledProgram program) {
        List<Instruction> instructions = new ArrayList<>(program.instructions());
        int[] indexOfSlot = InstructionCodec.indexOfSlot(instructions);
        for (Relocation relocation : program.relocations()) {
            if (relocation.kind() == Relocation.Kind.GUARD) {
                continue;
            }
            int index = indexOfSlot[relocation.slot()];
            instructions.set(
                    index,
                    instructions.get(index).withSrc(LoadSource.CONSTANT.value()).withImm(0));
        }
        return instructions;
    }

    private static byte[] layout(List<Section> sections, Strings strings, int shstrndx) {
        LittleEndianOutput file = new LittleEndianOutput();
        file.bytes(new byte[EHDR_SIZE]);
        long[] offsets = new long[sections.size()];
        for (int i = 0; i < sections.size(); i++) {
            file.align(sections.get(i).align);
            offsets[i] = file.size();
            file.bytes(sections.get(i).content);
        }
        file.align(8);
        long sectionHeaders = file.size();
        file.bytes(new byte[SHDR_SIZE]); // section 0: SHT_NULL
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            file.u32(strings.offset(s.name))
                    .u32(s.type)
                    .u64(s.flags)
                    .u64(0)
                    .u64(offsets[i])
                    .u64(s.content.length)
                    .u32(s.link)
                    .u32(s.info)
                    .u64(s.align)
                    .u64(s.entrySize);
        }
        byte[] bytes = file.toByteArray();

        LittleEndianOutput header = new LittleEndianOutput();
        header.bytes(new byte[] {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        header.u16(ET_REL)
                .u16(EM_BPF)
                .u32(EV_CURRENT)
                .u64(0)
                .u64(0)
                .u64(sectionHeaders)
                .u32(0)
                .u16(EHDR_SIZE)
                .u16(0)
                .u16(0)
                .u16(SHDR_SIZE)
                .u16(sections.size() + 1)
                .u16(shstrndx);
        System.arraycopy(header.toByteArray(), 0, bytes, 0, EHDR_SIZE);
        return bytes;
    }

    /** The shared string table: each distinct name once, NUL-terminated, after a leading NUL. */
    private static final class Strings {
        private final Map<String, Integer> offsets = new LinkedHashMap<>();
        private final LittleEndianOutput bytes = new LittleEndianOutput();

        Strings() {
            offsets.put("", 0);
            bytes.u8(0);
        }

        int offset(String name) {
            return offsets.computeIfAbsent(name, n -> {
                int at = bytes.size();
                bytes.bytes(n.getBytes(StandardCharsets.UTF_8)).u8(0);
                return at;
            });
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

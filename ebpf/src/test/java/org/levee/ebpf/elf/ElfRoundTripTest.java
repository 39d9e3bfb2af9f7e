package org.levee.ebpf.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.RandomInstructions;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.SpecOpcodes;

class ElfRoundTripTest {

    /** Random objects: programs of random valid instructions, labels, relocations, maps, constants, data. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomObjectsRoundTrip(long seed) {
        BpfObject object = randomObject(seed);

        byte[] bytes = ElfWriter.write(object);
        BpfObject read = ElfReader.read(bytes);

        assertThat(read).isEqualTo(object);
        assertThat(ElfWriter.write(read)).isEqualTo(bytes);
    }

    /** A random object (also the ELF fuzz test's seeds). */
    static BpfObject randomObject(long seed) {
        Random random = new Random(seed);
        RandomInstructions instructions = new RandomInstructions(seed);
        List<MapDefinition> maps = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            maps.add(new MapDefinition(
                    "map_" + i,
                    random.nextInt(33),
                    random.nextInt(64),
                    random.nextInt(1024),
                    random.nextInt(1 << 20),
                    random.nextInt()));
        }
        List<PatchableConstant> constants = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            constants.add(new PatchableConstant("rule_" + i + "_enabled", random.nextLong()));
        }
        List<ProgramSection> programs = new ArrayList<>();
        for (int p = 1 + random.nextInt(3); p > 0; p--) {
            Assembler assembler = new Assembler();
            int labels = 0;
            List<String> guardTargets = new ArrayList<>();
            for (int i = 0; i < 50 + random.nextInt(200); i++) {
                switch (random.nextInt(11)) {
                    case 0 -> {
                        assembler.label("l" + labels++);
                        guardTargets.forEach(assembler::label);
                        guardTargets.clear();
                    }
                    case 3 -> {
                        String target = "g" + labels++;
                        assembler.enableGuard(
                                Register.R9,
                                random.nextBoolean() && !constants.isEmpty()
                                        ? constants
                                                .get(random.nextInt(constants.size()))
                                                .name()
                                        : "extern_" + random.nextInt(3),
                                target);
                        guardTargets.add(target);
                    }
                    case 1 -> {
                        if (!maps.isEmpty()) {
                            assembler.ldMap(
                                    Register.R1,
                                    maps.get(random.nextInt(maps.size())).name());
                        }
                    }
                    case 2 ->
                        assembler.ldImm64(
                                Register.R2,
                                random.nextBoolean() && !constants.isEmpty()
                                        ? constants
                                                .get(random.nextInt(constants.size()))
                                                .name()
                                        : "extern_" + random.nextInt(3));
                    default -> assembler.emit(instructions.from(SpecOpcodes.ALL));
                }
            }
            guardTargets.forEach(assembler::label);
            assembler.emit(Instruction.exit());
            programs.add(new ProgramSection(p == 1 ? "xdp" : "xdp/p" + p, "prog_" + p, assembler.assemble()));
        }
        byte[] blob = new byte[random.nextInt(100)];
        random.nextBytes(blob);
        return new BpfObject(
                random.nextBoolean() ? "GPL" : "Dual BSD/GPL",
                programs,
                maps,
                constants,
                List.of(new DataSection(".levee.rules", blob), new DataSection(".levee.empty", new byte[0])));
    }

    /** Corrupted objects either still read or fail with an ElfFormatException, never another exception. */
    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103})
    void corruptedObjectsFailWithAFormatError(long seed) {
        Random random = new Random(seed);
        byte[] original = ElfWriter.write(ElfObjectTest.sample());
        int rejected = 0;
        for (int i = 0; i < 1_000; i++) {
            byte[] corrupt = original.clone();
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(10) == 0) {
                corrupt = java.util.Arrays.copyOf(corrupt, random.nextInt(corrupt.length));
            }
            try {
                ElfReader.read(corrupt);
            } catch (ElfFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                rejected++;
            }
        }
        assertThat(rejected).as("some corruptions are detected").isPositive();
    }

    @Test
    void rejectsWhatIsNotAnElfFile() {
        assertThatThrownBy(() -> ElfReader.read("not an object file, just some text to fill 64 bytes......"
                        .repeat(2)
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("no ELF magic (7f 45 4c 46) at offset 0");
        assertThatThrownBy(() -> ElfReader.read(new byte[10]))
                .hasMessage("file of 10 bytes is shorter than an ELF64 header (64)");
    }

    @Test
    void rejectsAnotherMachine() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        bytes[18] = 62; // EM_X86_64
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("ELF header field e_machine is 62, expected 247 (EM_BPF)");
    }

    @Test
    void rejectsATruncatedFile() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 100);
        assertThatThrownBy(() -> ElfReader.read(truncated))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith("section header table (offset ")
                .hasMessageContaining("extends past the end of the file");
    }

    @Test
    void rejectsAnUnknownRelocationTypeNamingTheEntry() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        int rel = sectionOffset(bytes, ".relxdp");
        bytes[rel + 16 + 8] = 2; // entry 1: type 2
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("section 2 '.relxdp' entry 1: relocation type 2 is neither R_BPF_64_64 (1, an ld_imm64)"
                        + " nor R_BPF_NONE (0, a guard)");
    }

    @Test
    void rejectsAGuardRelocationOfAnInstructionThatIsNotAGuardJump() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        int rel = sectionOffset(bytes, ".relxdp");
        bytes[rel + 8] = 0; // entry 0: R_BPF_NONE on an ld_imm64
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("section 2 '.relxdp' entry 0: offset 8 in section 1 'xdp' is not a guard jump"
                        + " (if rX >= 0 goto +off, off >= 0) for R_BPF_NONE");
    }

    @Test
    void rejectsAGuardOfAMap() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.guarded());
        int rel = sectionOffset(bytes, ".relxdp");
        // entry 0 is the guard; point it at the symbol of entry 1, the map
        ByteBuffer entries = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        entries.putInt(rel + 8 + 4, entries.getInt(rel + 16 + 8 + 4));
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage(
                        "section 2 '.relxdp' entry 0: guard symbol 'counters' is in section 'maps', not a constant");
    }

    @Test
    void rejectsARelocationOfAnInstructionThatIsNotLdImm64() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        int rel = sectionOffset(bytes, ".relxdp");
        bytes[rel] = 0x18; // entry 0 at offset 24: a jump
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .hasMessage("section 2 '.relxdp' entry 0: offset 24 in section 1 'xdp' is not an ld_imm64");
    }

    @Test
    void rejectsAnInvalidInstructionNamingSectionAndSlot() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        bytes[sectionOffset(bytes, "xdp") + 8 * 5] = (byte) 0xff;
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith("section 1 'xdp': slot 5: invalid instruction {op=0xff");
    }

    @Test
    void rejectsInconsistentObjects() {
        var program = new Assembler()
                .ldMap(Register.R1, "missing")
                .emit(Instruction.exit())
                .assemble();
        assertThatThrownBy(() -> new BpfObject(
                        "GPL", List.of(new ProgramSection("xdp", "p", program)), List.of(), List.of(), List.of()))
                .hasMessage("program 'p': map 'missing' at slot 0 names no map of the object");
        var empty = new Assembler().emit(Instruction.exit()).assemble();
        assertThatThrownBy(() -> new BpfObject(
                        "GPL",
                        List.of(new ProgramSection("xdp", "p", empty), new ProgramSection("xdp", "q", empty)),
                        List.of(),
                        List.of(),
                        List.of()))
                .hasMessage("section name 'xdp' is used twice (or is reserved)");
        assertThatThrownBy(() -> new BpfObject(
                        "GPL",
                        List.of(new ProgramSection("xdp", "p", empty)),
                        List.of(new MapDefinition("p", 2, 4, 4, 1, 0)),
                        List.of(),
                        List.of()))
                .hasMessage("symbol name 'p' is used twice (or is reserved)");
    }

    /** Found by fuzzing (ElfFuzzTest): a string table whose offset plus size wrapped past 2^63 passed the bounds check. */
    @Test
    void rejectsSectionBoundsThatWrapAround() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int names = (int) elf.getLong(40) + 64 * elf.getShort(62);
        elf.putLong(names + 24, 8).putLong(names + 32, Long.MAX_VALUE - 4);
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith("section " + elf.getShort(62)
                        + ": contents (offset 8, size 9223372036854775803) " + "extend past the end of the file");
    }

    /** Found by fuzzing: a section header table at offset 2^63 - 1 wrapped the same check. */
    @Test
    void rejectsASectionHeaderTableOffsetThatWrapsAround() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(40, Long.MAX_VALUE);
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith("section header table (offset 9223372036854775807, ");
    }

    /** Found by fuzzing: a relocation against a symbol of a special section (SHN_ABS) threw IndexOutOfBoundsException. */
    @Test
    void rejectsARelocationAgainstASymbolOfASpecialSection() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(symbolEntry(bytes, "rule_7_enabled") + 6, (short)
                0xfff1);
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage(
                        "section 2 '.relxdp' entry 0: symbol 'rule_7_enabled' has the special section index 0xfff1, "
                                + "neither a map nor a constant");
    }

    /** Found by fuzzing: a map symbol at a negative offset passed the record check and threw IndexOutOfBoundsException. */
    @Test
    void rejectsAMapSymbolAtANegativeOffset() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(symbolEntry(bytes, "counters") + 8, -20);
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("symbol 'counters' (offset -20, size 20) is not one of its 20-byte records");
    }

    /**
     * Found by fuzzing: an immediate in a relocated ld_imm64 (an implicit addend) was read but not
     * written back, so the object did not survive a round trip; it is refused.
     */
    @Test
    void rejectsAnAddendInARelocatedLoad() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long site = elf.getLong(sectionOffset(bytes, ".relxdp"));
        elf.putInt(sectionOffset(bytes, "xdp") + (int) site + 4, 1);
        assertThatThrownBy(() -> ElfReader.read(bytes))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage(
                        "section 2 '.relxdp' entry 0: the ld_imm64 at offset " + site + " in section 1 'xdp' has src 0"
                                + " and immediate 1; a relocated one has src 0 and immediate 0");
    }

    /**
     * Found by fuzzing (1,000,000 inputs): relocations listed out of slot order were read in file
     * order, so the object read differed from the same object written back (in slot order).
     */
    @Test
    void relocationsInAnyOrderReadAsTheSameObject() {
        byte[] bytes = ElfWriter.write(ElfObjectTest.sample());
        int rel = sectionOffset(bytes, ".relxdp");
        byte[] first = java.util.Arrays.copyOfRange(bytes, rel, rel + 16);
        System.arraycopy(bytes, rel + 16, bytes, rel, 16);
        System.arraycopy(first, 0, bytes, rel + 16, 16);
        assertThat(bytes).isNotEqualTo(ElfWriter.write(ElfObjectTest.sample()));
        assertThat(ElfReader.read(bytes)).isEqualTo(ElfObjectTest.sample());
    }

    /** File offset of the symbol table entry of the symbol named {@code name}. */
    private static int symbolEntry(byte[] file, String name) {
        ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int symtab = sectionOffset(file, ".symtab");
        int strtab = sectionOffset(file, ".strtab");
        for (int entry = symtab; ; entry += 24) {
            int nameAt = strtab + elf.getInt(entry);
            int end = nameAt;
            while (file[end] != 0) {
                end++;
            }
            if (new String(file, nameAt, end - nameAt, StandardCharsets.UTF_8).equals(name)) {
                return entry;
            }
        }
    }

    /** File offset of the contents of the section named {@code name}, parsed independently of ElfReader. */
    private static int sectionOffset(byte[] file, String name) {
        ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) elf.getLong(40);
        int shnum = elf.getShort(60);
        int strtab = (int) elf.getLong(shoff + 64 * elf.getShort(62) + 24);
        for (int i = 0; i < shnum; i++) {
            int header = shoff + 64 * i;
            int nameAt = strtab + elf.getInt(header);
            int end = nameAt;
            while (file[end] != 0) {
                end++;
            }
            if (new String(file, nameAt, end - nameAt, StandardCharsets.UTF_8).equals(name)) {
                return (int) elf.getLong(header + 24);
            }
        }
        throw new AssertionError("no section " + name);
    }
}

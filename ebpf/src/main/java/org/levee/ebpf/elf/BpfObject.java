package org.levee.ebpf.elf;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.levee.ebpf.asm.Relocation;

/**
 * An eBPF relocatable object (ELF64, EM_BPF) as Levee writes and reads it: programs, the license,
 * map definitions, patchable constants and opaque data sections. {@link ElfWriter} and
 * {@link ElfReader} convert it to and from bytes; the result is a normal object file that
 * {@code readelf} and {@code llvm-objdump} read.
 *
 * <p>Every map relocation must name a map of the object. A constant or guard relocation whose
 * symbol is not a constant of the object is written against an undefined (external) symbol, for a loader
 * that supplies the value itself.
 *
 * @param license      the license string ({@code GPL} or compatible, for GPL-only helpers)
 * @param programs     the programs, one section each
 * @param maps         map definitions, by name
 * @param constants    patchable constants with their default values
 * @param dataSections extra sections of opaque bytes
 */
public record BpfObject(
        String license,
        List<ProgramSection> programs,
        List<MapDefinition> maps,
        List<PatchableConstant> constants,
        List<DataSection> dataSections) {

    public BpfObject {
        Objects.requireNonNull(license, "license");
        if (license.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("license contains a NUL character");
        }
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        constants = List.copyOf(constants);
        dataSections = List.copyOf(dataSections);

        Set<String> sections = new HashSet<>(Set.of(ElfWriter.RESERVED_SECTIONS));
        for (ProgramSection program : programs) {
            requireUnique(sections, "section", program.section());
            requireUnique(sections, "section", ElfWriter.RELOCATIONS_PREFIX + program.section());
        }
        for (DataSection data : dataSections) {
            requireUnique(sections, "section", data.name());
        }
        Set<String> symbols = new HashSet<>(Set.of(ElfWriter.LICENSE_SYMBOL));
        programs.forEach(p -> requireUnique(symbols, "symbol", p.name()));
        maps.forEach(m -> requireUnique(symbols, "symbol", m.name()));
        constants.forEach(c -> requireUnique(symbols, "symbol", c.name()));

        Set<String> notData = new HashSet<>(Set.of(ElfWriter.LICENSE_SYMBOL));
        programs.forEach(p -> notData.add(p.name()));
        Set<String> mapNames = new HashSet<>();
        maps.forEach(m -> mapNames.add(m.name()));
        for (ProgramSection program : programs) {
            for (Relocation relocation : program.program().relocations()) {
                String problem = switch (relocation.kind()) {
                    case MAP -> mapNames.contains(relocation.symbol()) ? null : "names no map of the object";
                    case CONSTANT, GUARD ->
                        mapNames.contains(relocation.symbol())
                                ? "names a map of the object, not a constant"
                                : notData.contains(relocation.symbol())
                                        ? "names a program or the license, not a constant"
                                        : null;
                };
                if (problem != null) {
                    throw new IllegalArgumentException(
                            "program '" + program.name() + "': " + relocation + " " + problem);
                }
            }
        }
    }

    private static void requireUnique(Set<String> seen, String what, String name) {
        if (!seen.add(name)) {
            throw new IllegalArgumentException(what + " name '" + name + "' is used twice (or is reserved)");
        }
    }

    /** The program in section {@code section}. */
    public ProgramSection program(String section) {
        return programs.stream()
                .filter(p -> p.section().equals(section))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no program section '" + section + "'"));
    }
}

package org.levee.ebpf.elf;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes {@link ElfReader}, which reads rule-set objects that arrive over the network in a fleet.
 * A bad file must be an {@link ElfFormatException} that names the section, symbol, entry, field or
 * offset at fault; an object that is read must write back ({@link ElfWriter}) to bytes that read
 * as the same object.
 */
@Tag("fuzz")
class ElfFuzzTest {
    /** Every message names where: a section, symbol, relocation entry, header field, offset or size. */
    static final String WHERE = "(?i)\\b(section|symbol|offset|field|entry|e_shstrndx|bytes|object)\\b";

    static List<byte[]> seeds() {
        List<byte[]> objects = new ArrayList<>();
        objects.add(ElfWriter.write(ElfObjectTest.sample()));
        objects.add(ElfWriter.write(ElfObjectTest.guarded()));
        for (long seed = 1; seed <= 6; seed++) {
            objects.add(ElfWriter.write(ElfRoundTripTest.randomObject(seed)));
        }
        return objects;
    }

    @Test
    void elfObjects() {
        FuzzRunner.run(FuzzFamily.bytes("ELF objects")
                        .seeds(seeds())
                        .target(file -> {
                            BpfObject object = ElfReader.read(file);
                            if (!ElfReader.read(ElfWriter.write(object)).equals(object)) {
                                throw new AssertionError("the object read does not write back to itself: " + object);
                            }
                        })
                        .rejects(ElfFormatException.class, WHERE)
                        .build())
                .assertNoCrashes();
    }
}

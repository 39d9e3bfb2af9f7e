package org.levee.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.BpfMap;

/**
 * The second rules stage of an interface: rules of this node only (an edge's local rules), in
 * programs of their own in slot 0 of the pinned {@link DataplaneMaps#LOCAL}, which the main
 * program tail-calls when none of its rules matched. Filling or emptying the slot is one map
 * update: packets see the old stage or the new one, and the main program is not touched, so the
 * fleet's object runs byte-identical on every edge of a data center whatever their local rules.
 * The stage's own chain (when its rules need several programs) is pinned as
 * {@code levee_local_chain_<program id>}: a program array whose last reference is closed is
 * emptied by the kernel.
 */
final class LocalStage {
    private LocalStage() {}

    private static final String CHAIN_PIN = "levee_local_chain_";

    /**
     * Loads {@code object} (built with {@code ProgramBuilder.localStage()}) specialised for
     * {@code datacenter} at {@code now} into the slot, or empties the slot when none of its rules
     * is enabled here.
     *
     * @return the id of the stage's first program, 0 when the slot was emptied
     * @throws org.levee.ebpf.BpfException when the kernel refuses a program; the slot is unchanged
     */
    static int install(PinLayout layout, DataplaneMapSet maps, RuleSetObject object, String datacenter, Instant now) {
        Map<String, Long> constants = object.constants(datacenter, now);
        if (!constants.containsValue(1L)) {
            clear(layout, maps);
            return 0;
        }
        Attachment.prepareMaps(object, maps, -1);
        List<Path> old = chainPins(layout);
        try (LoadedProgram loaded = LoadedProgram.load(object, constants, maps)) {
            int programId = loaded.entry().info().id();
            Path pin = layout.pin(CHAIN_PIN + programId);
            loaded.chain().pin(pin);
            try {
                maps.get(DataplaneMaps.LOCAL).put(0, loaded.entry().fd());
            } catch (RuntimeException e) {
                BpfFs.unpin(pin);
                throw e;
            }
            old.forEach(BpfFs::unpin);
            return programId;
        }
    }

    /** Empties the slot: the main program's tail call falls through to the exit again. */
    static void clear(PinLayout layout, DataplaneMapSet maps) {
        maps.get(DataplaneMaps.LOCAL).delete(BpfMap.intBytes(0));
        chainPins(layout).forEach(BpfFs::unpin);
    }

    private static List<Path> chainPins(PinLayout layout) {
        if (!Files.isDirectory(layout.directory())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(layout.directory())) {
            return files.filter(p -> p.getFileName().toString().startsWith(CHAIN_PIN))
                    .toList();
        } catch (IOException e) {
            throw new DataplaneException("cannot list " + layout.directory() + ": " + e.getMessage(), e);
        }
    }
}

package org.levee.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapInfo;
import org.levee.ebpf.MapType;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramInfo;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.XdpAction;

/**
 * An xdpcap-compatible hook: a pinned program array with 4-byte keys and values that an XDP
 * program tail-calls with its verdict as the index before returning it. An empty slot makes the
 * tail call fall through, so an empty hook costs one failed tail call.
 *
 * <p>Slot policy: a capture never replaces a program it did not put there. A slot holding any
 * other program (another capture, or one left by a capture killed with SIGKILL) fails
 * {@link #install} with a message naming that program. Removal only clears a slot that still
 * holds the program this hook installed. Program arrays have no compare-and-swap, so two
 * captures starting in the same instant could both find a slot free; the later one wins it and
 * the earlier one's {@link #remove} then leaves the slot alone.
 */
public final class CaptureHook implements AutoCloseable {
    /** The program names capture programs get: {@code xdpcap_<action>}. */
    public static final String PROGRAM_PREFIX = "xdpcap_";

    private final Path path;
    private final BpfMap map;

    private CaptureHook(Path path, BpfMap map) {
        this.path = path;
        this.map = map;
    }

    /**
     * Opens the hook pinned at {@code path}.
     *
     * @throws CaptureException when nothing is pinned there (attach the data plane first) or the
     *     pin is not an xdpcap hook
     */
    public static CaptureHook open(Path path) {
        if (!Files.exists(path)) {
            throw new CaptureException("no xdpcap hook at " + path + ": attach the data plane first"
                    + " (levee dataplane attach -i IFACE [--netns NAME] --ruleset RULES.o), or give --hook PATH");
        }
        BpfMap map;
        try {
            map = BpfMap.openPinned(path);
        } catch (SyscallException | IllegalArgumentException e) {
            throw new CaptureException("cannot open the xdpcap hook " + path + ": " + e.getMessage(), e);
        }
        MapInfo info = map.info();
        if (info.type() != MapType.PROG_ARRAY || info.keySize() != 4 || info.valueSize() != 4) {
            map.close();
            throw new CaptureException(path + " is not an xdpcap hook: it is a " + info.type() + " map with "
                    + info.keySize() + "-byte keys and " + info.valueSize()
                    + "-byte values, a hook is a PROG_ARRAY with 4-byte keys and values");
        }
        return new CaptureHook(path, map);
    }

    /**
     * Where the data plane pins the hook of {@code iface} in network namespace {@code netns}
     * (null: the host's): {@code /sys/fs/bpf/levee/[<netns>/]<iface>/xdpcap_hook}.
     *
     * @throws org.levee.dataplane.DataplaneException for a name that cannot be an interface or namespace
     */
    public static Path defaultPath(String iface, String netns) {
        return new PinLayout(iface, netns).pin(DataplaneMaps.HOOK.name());
    }

    public Path path() {
        return path;
    }

    /** How many slots the hook has (xdpcap's have 5, one per action). */
    public int slots() {
        return map.info().maxEntries();
    }

    /** The id of the program in {@code action}'s slot, if any. */
    public Optional<Integer> occupant(XdpAction action) {
        requireSlot(action);
        return map.lookup(key(action))
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /**
     * Puts {@code program} in {@code action}'s slot.
     *
     * @throws CaptureException when the slot is taken (naming the program in it), the hook has no
     *     such slot, or the kernel refuses the program (it must be compatible with the program
     *     that tail-calls the hook)
     */
    public void install(XdpAction action, Program program) {
        requireFree(action);
        try {
            map.update(key(action), intBytes(program.fd()));
        } catch (SyscallException e) {
            throw new CaptureException(
                    "cannot put the capture program into the " + ActionNames.label(action) + " slot of " + path + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks that {@code action}'s slot exists and is empty.
     *
     * @throws CaptureException naming the program in the slot and how to clear a stale one
     */
    public void requireFree(XdpAction action) {
        requireSlot(action);
        Optional<Integer> taken = occupant(action);
        if (taken.isPresent()) {
            throw new CaptureException("the " + ActionNames.label(action) + " slot of " + path + " is taken by "
                    + describe(taken.get()) + ": is another capture running? If not, it was left by a capture"
                    + " that was killed; clear it with: bpftool map delete pinned " + path + " key "
                    + action.code() + " 0 0 0");
        }
    }

    /**
     * Empties {@code action}'s slot if it still holds {@code program}; returns whether it did.
     */
    public boolean remove(XdpAction action, Program program) {
        Optional<Integer> current = occupant(action);
        if (current.isEmpty() || current.get() != program.info().id()) {
            return false;
        }
        return map.delete(key(action));
    }

    @Override
    public void close() {
        map.close();
    }

    private void requireSlot(XdpAction action) {
        if (action.code() >= slots()) {
            throw new CaptureException("the hook " + path + " has " + slots() + " slots: it has none for action "
                    + ActionNames.label(action) + " (" + action.code() + ")");
        }
    }

    /** "program 'xdpcap_drop' (id 42, a capture program)". */
    private static String describe(int id) {
        try (Program p = Program.fromId(id)) {
            ProgramInfo info = p.info();
            return "program '" + info.name() + "' (id " + id + ", tag " + info.tagHex()
                    + (info.name().startsWith(PROGRAM_PREFIX) ? ", a capture program" : "") + ")";
        } catch (RuntimeException e) {
            return "program id " + id;
        }
    }

    private static byte[] key(XdpAction action) {
        return intBytes(action.code());
    }

    private static byte[] intBytes(int value) {
        return BpfMap.intBytes(value);
    }
}

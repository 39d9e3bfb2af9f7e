package org.levee.ebpf.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.levee.ebpf.BpfCommand;

/** Commands shared by every kind of BPF object: info by fd, fd by id, pin and get. */
public final class BpfObjects {
    private BpfObjects() {}

    /** BPF_OBJ_GET_INFO_BY_FD into {@code info} (allocated by the caller, who may point it at buffers). */
    public static void info(int fd, MemorySegment info, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd);
            attr.set(JAVA_INT, 4, (int) info.byteSize());
            attr.set(JAVA_LONG, 8, info.address());
            Bpf.call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, attr, "info of " + what);
        }
    }

    /** A new fd for the object with {@code id} (BPF_PROG/MAP/LINK_GET_FD_BY_ID). */
    public static int fdById(BpfCommand command, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, id);
            return (int) Bpf.call(command, attr, "open id " + id);
        }
    }

    /** BPF_OBJ_PIN: makes {@code path} (inside a bpffs) hold a reference to the object. */
    public static void pin(int fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 0, arena.allocateFrom(path).address());
            attr.set(JAVA_INT, 8, fd);
            Bpf.call(BpfCommand.BPF_OBJ_PIN, attr, "pin fd " + fd + " at " + path);
        }
    }

    /** BPF_OBJ_GET: a new fd for the object pinned at {@code path}. */
    public static int get(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 0, arena.allocateFrom(path).address());
            return (int) Bpf.call(BpfCommand.BPF_OBJ_GET, attr, "open pin " + path);
        }
    }
}

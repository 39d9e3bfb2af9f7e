package org.levee.ebpf.internal;

import java.lang.foreign.MemorySegment;
import org.levee.ebpf.BpfCommand;
import org.levee.ebpf.BpfException;

/** The {@code bpf(2)} system call: one command, one {@code union bpf_attr}. */
public final class Bpf {
    private Bpf() {}

    /** Size of {@code union bpf_attr} we send: large enough for every command we use, zero-filled. */
    public static final long ATTR_SIZE = 160;

    /**
     * Runs {@code command} with {@code attr} (which, with every buffer it points to, must stay alive
     * until this returns) and returns the kernel's result; throws {@link BpfException} on failure,
     * with {@code context} saying what was being done.
     */
    public static long call(BpfCommand command, MemorySegment attr, String context) {
        Libc.Result result = tryCall(command, attr);
        if (result.failed()) {
            throw new BpfException(command, result.errno(), context, null);
        }
        return result.value();
    }

    /** Like {@link #call} but returns the raw result so the caller can handle specific errnos. */
    public static Libc.Result tryCall(BpfCommand command, MemorySegment attr) {
        if (attr.byteSize() < ATTR_SIZE) {
            throw new IllegalArgumentException("bpf_attr segment too small: " + attr.byteSize());
        }
        Libc.Result result;
        do {
            result = Libc.syscall(SyscallNumbers.BPF, command.number(), attr, ATTR_SIZE);
        } while (result.failed() && result.errno() == Errno.EINTR);
        return result;
    }
}

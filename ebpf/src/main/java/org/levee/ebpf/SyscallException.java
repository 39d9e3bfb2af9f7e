package org.levee.ebpf;

import org.levee.ebpf.internal.Errno;

/**
 * A system call failed. Carries the call's name and the errno, both as number and as symbolic
 * name, so callers can react to specific failures ({@link #errno()} == {@code ENOENT}, …).
 */
public class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno, String detail) {
        super(call + " failed with " + Errno.name(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    /** The failed call, e.g. {@code mmap} or {@code bpf(BPF_MAP_CREATE)}. */
    public String call() {
        return call;
    }

    /** The errno number the call set. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}

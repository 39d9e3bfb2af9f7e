package org.levee.ebpf;

import org.levee.ebpf.internal.Errno;

/**
 * A {@code bpf(2)} command failed. The message names the command, the errno, what was being done,
 * and a hint saying what to check; for a rejected program it also holds the verifier's log.
 */
public final class BpfException extends SyscallException {
    private final BpfCommand command;
    private final String hint;
    private final String verifierLog;

    public BpfException(BpfCommand command, int errno, String context, String verifierLog) {
        super("bpf(" + command + ")", errno, message(command, errno, context, verifierLog));
        this.command = command;
        this.hint = hint(command, errno);
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    public BpfCommand command() {
        return command;
    }

    /** What to check for this command and errno; empty when there is nothing specific to say. */
    public String hint() {
        return hint;
    }

    /** The verifier's log for a failed {@code BPF_PROG_LOAD}; empty otherwise. */
    public String verifierLog() {
        return verifierLog;
    }

    private static String message(BpfCommand command, int errno, String context, String log) {
        StringBuilder s = new StringBuilder();
        if (context != null && !context.isEmpty()) {
            s.append(context);
        }
        String hint = hint(command, errno);
        if (!hint.isEmpty()) {
            s.append(s.isEmpty() ? "" : " (").append(hint).append(s.isEmpty() ? "" : ")");
        }
        if (log != null && !log.isBlank()) {
            s.append("\nverifier log:\n").append(log.strip());
        }
        return s.toString();
    }

    /** The hint for a command and errno: the usual cause of that failure. */
    static String hint(BpfCommand command, int errno) {
        return switch (errno) {
            case Errno.EPERM ->
                switch (command) {
                    case BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM ->
                        "the map may be frozen or read-only for user space; otherwise run as root or with CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON";
                    case BPF_LINK_UPDATE -> "the link's current program is not the expected old program";
                    default -> "run as root, or with CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON";
                };
            case Errno.EACCES ->
                command == BpfCommand.BPF_PROG_LOAD
                        ? "the verifier rejected the program: see its log"
                        : "permission denied: check capabilities and the bpffs path's permissions";
            case Errno.ENOSPC ->
                switch (command) {
                    case BPF_PROG_LOAD -> "the verifier log buffer was too small";
                    case BPF_PROG_TEST_RUN -> "the data_out buffer is smaller than the output packet";
                    default -> "the map is full (max_entries reached)";
                };
            case Errno.E2BIG ->
                switch (command) {
                    case BPF_PROG_LOAD ->
                        "the program has too many instructions or the verifier gave up (processed limit)";
                    case BPF_MAP_CREATE -> "key or value size or max_entries too large";
                    case BPF_MAP_UPDATE_ELEM ->
                        "the map is full (max_entries reached; hashes say E2BIG) or the array index is out of range";
                    default -> "an argument is too large for the kernel (attr newer than this kernel?)";
                };
            case Errno.EBUSY ->
                switch (command) {
                    case BPF_LINK_CREATE ->
                        "another XDP program is attached to the interface (through netlink, `ip link set … xdp`, or another link): detach it, or replace it with BPF_LINK_UPDATE";
                    default -> "the object is in use";
                };
            case Errno.ENOENT ->
                switch (command) {
                    case BPF_MAP_LOOKUP_ELEM, BPF_MAP_DELETE_ELEM -> "no such key";
                    case BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_BATCH -> "no more keys";
                    case BPF_OBJ_GET, BPF_OBJ_PIN -> "no such pin path or directory (is bpffs mounted at /sys/fs/bpf?)";
                    default -> "no such object (was it freed? its id may be stale)";
                };
            case Errno.EEXIST ->
                switch (command) {
                    case BPF_MAP_UPDATE_ELEM -> "the key exists and the update used NOEXIST";
                    case BPF_OBJ_PIN -> "the pin path is taken: unpin it first";
                    default -> "already exists";
                };
            case Errno.EINVAL ->
                switch (command) {
                    case BPF_MAP_CREATE ->
                        "invalid map type, sizes or flags for this map type (LPM tries need BPF_F_NO_PREALLOC; ring buffers a power-of-2 multiple of the page size)";
                    case BPF_PROG_LOAD ->
                        "invalid program attributes (type, expected attach type, name, license) or instructions";
                    case BPF_PROG_TEST_RUN ->
                        "this program type or these flags cannot be test-run with this data (XDP needs at least 14 bytes)";
                    case BPF_LINK_CREATE ->
                        "the program type does not match the attach type, or the XDP flags are invalid";
                    case BPF_OBJ_PIN, BPF_OBJ_GET ->
                        "the path is not inside a bpffs mount (mount -t bpf bpf /sys/fs/bpf)";
                    default -> "invalid argument";
                };
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP ->
                command == BpfCommand.BPF_LINK_CREATE
                        ? "the driver has no native XDP: request generic (SKB) mode"
                        : "not supported by this kernel or for this object";
            case Errno.EBADF -> "the file descriptor is closed or not a BPF object of the expected kind";
            case Errno.ENODEV -> "no such network interface (wrong network namespace?)";
            case Errno.EFAULT -> "the kernel could not read or write a buffer passed to it";
            case Errno.ENOMEM -> "the kernel is out of memory or the memory cgroup limit was reached";
            default -> "";
        };
    }
}

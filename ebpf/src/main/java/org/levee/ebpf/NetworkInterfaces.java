package org.levee.ebpf;

import org.levee.ebpf.internal.Errno;
import org.levee.ebpf.internal.Libc;

/**
 * Interface name → index. Resolved in the calling thread's network namespace (so inside
 * {@code Netns.run} it sees that namespace's interfaces; /sys/class/net would show the namespace
 * /sys was mounted in).
 */
public final class NetworkInterfaces {
    private NetworkInterfaces() {}

    /** The index of interface {@code name}; throws naming the interface when there is none. */
    public static int index(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/")) {
            throw new IllegalArgumentException("invalid interface name '" + name + "' (1–15 characters, no '/')");
        }
        Libc.Result r = Libc.ifNameToIndex(name);
        if (r.value() == 0) {
            throw new SyscallException(
                    "if_nametoindex",
                    r.errno() == 0 ? Errno.ENODEV : r.errno(),
                    "no interface '" + name + "' in this thread's network namespace");
        }
        return (int) r.value();
    }
}

package org.levee.ebpf.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.levee.ebpf.SyscallException;

/**
 * The C library functions Levee calls through {@code java.lang.foreign}. Every call that can fail
 * captures errno with {@code captureCallState}: reading errno any other way after a downcall is
 * unreliable because the JVM itself may call into libc in between.
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // syscall(2) is variadic: everything after the number is passed as a variadic argument.
    private static final MethodHandle SYSCALL = function(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1),
            CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = function(
            "mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = function("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EPOLL_CREATE1 =
            function("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle EPOLL_CTL = function(
            "epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle EPOLL_WAIT = function(
            "epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    // open(2) is variadic (the mode); we always pass one.
    private static final MethodHandle OPEN = function(
            "open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2),
            CAPTURE_ERRNO);
    private static final MethodHandle SETNS =
            function("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle IF_NAMETOINDEX =
            function("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle STATFS =
            function("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle MOUNT = function(
            "mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SYSCONF = function("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle SOCKET =
            function("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SETSOCKOPT = function(
            "setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = function(
            "getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
            CAPTURE_ERRNO);
    private static final MethodHandle BIND =
            function("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SENDTO = function(
            "sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle SCHED_SETAFFINITY =
            function("sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int EPOLLIN = 1;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int SC_PAGESIZE = 30;
    // struct epoll_event is packed on x86_64 (12 bytes) and 16 bytes elsewhere; 16 fits both.
    private static final long EPOLL_EVENT_BYTES = 16;

    private static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)),
                descriptor,
                options);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    /** The result of a system call: its return value, and errno when it returned -1. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value == -1;
        }
    }

    /** {@code syscall(number, a, b, c)}: the raw result, never throws for a kernel error. */
    public static Result syscall(long number, long a, MemorySegment b, long c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long value = (long) SYSCALL.invokeExact(state, number, a, b, c);
            return new Result(value, value == -1 ? errno(state) : 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code close(fd)}; errors are ignored, as there is nothing a caller could do about them. */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code mmap(NULL, length, prot, MAP_SHARED, fd, offset)}, as a segment of {@code length} bytes. */
    public static MemorySegment mmapShared(long length, int prot, int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address =
                    (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, MAP_SHARED, fd, offset);
            if (address.address() == -1L) {
                throw new SyscallException(
                        "mmap",
                        errno(state),
                        "fd " + fd + ", " + length + " bytes at offset " + offset + ", prot " + prot);
            }
            return address.reinterpret(length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void munmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A new epoll instance (close-on-exec) watching {@code fd} for readability. */
    public static int epollFor(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int epfd = (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new SyscallException("epoll_create1", errno(state), null);
            }
            MemorySegment event = arena.allocate(EPOLL_EVENT_BYTES, 8);
            event.set(JAVA_INT, 0, EPOLLIN);
            int rc = (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, event);
            if (rc < 0) {
                int err = errno(state);
                close(epfd);
                throw new SyscallException("epoll_ctl(EPOLL_CTL_ADD)", err, "fd " + fd);
            }
            return epfd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: forever); returns the number of ready fds, 0 on timeout or EINTR. */
    public static int epollWait(int epfd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment events = arena.allocate(EPOLL_EVENT_BYTES * 4, 8);
            int n = (int) EPOLL_WAIT.invokeExact(state, epfd, events, 4, timeoutMillis);
            if (n < 0) {
                int err = errno(state);
                if (err == Errno.EINTR) {
                    return 0;
                }
                throw new SyscallException("epoll_wait", err, "epoll fd " + epfd);
            }
            return n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code open(path, flags)}; the caller owns the returned fd. */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0);
            if (fd < 0) {
                throw new SyscallException("open", errno(state), path);
            }
            return fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code setns(fd, nstype)}: moves the calling (platform) thread into the namespace. */
    public static void setns(int fd, int nstype, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) SETNS.invokeExact(state, fd, nstype) < 0) {
                throw new SyscallException("setns", errno(state), what);
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code if_nametoindex(name)} in the calling thread's network namespace; 0 with errno when missing. */
    public static Result ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            return new Result(index, index == 0 ? errno(state) : 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The file system magic ({@code f_type}) of the file system holding {@code path}. */
    public static long statfsType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(256, 8); // struct statfs is 120 bytes on 64-bit Linux
            if ((int) STATFS.invokeExact(state, arena.allocateFrom(path), buffer) < 0) {
                throw new SyscallException("statfs", errno(state), path);
            }
            return buffer.get(JAVA_LONG, 0); // f_type is the first field (a long on 64-bit Linux)
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code mount(source, target, type, 0, NULL)}. */
    public static void mount(String source, String target, String type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) MOUNT.invokeExact(
                    state,
                    arena.allocateFrom(source),
                    arena.allocateFrom(target),
                    arena.allocateFrom(type),
                    0L,
                    MemorySegment.NULL);
            if (rc < 0) {
                throw new SyscallException("mount", errno(state), type + " at " + target);
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The page size: the ring buffer's mapping granule. */
    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)}: zeroed, page-aligned memory. */
    public static MemorySegment mmapAnonymous(long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address = (MemorySegment) MMAP.invokeExact(
                    state,
                    MemorySegment.NULL,
                    length,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                    -1,
                    0L);
            if (address.address() == -1L) {
                throw new SyscallException("mmap", errno(state), length + " anonymous bytes");
            }
            return address.reinterpret(length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code socket(domain, type, protocol)}; the caller owns the returned fd. */
    public static int socket(int domain, int type, int protocol, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
            if (fd < 0) {
                throw new SyscallException("socket", errno(state), what);
            }
            return fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code setsockopt(fd, level, name, value, value.byteSize())}. */
    public static void setsockopt(int fd, int level, int name, MemorySegment value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize()) < 0) {
                throw new SyscallException("setsockopt", errno(state), what);
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code getsockopt(fd, level, name, value, &length)}; returns the length the kernel wrote. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) value.byteSize());
            if ((int) GETSOCKOPT.invokeExact(state, fd, level, name, value, length) < 0) {
                throw new SyscallException("getsockopt", errno(state), what);
            }
            return length.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bind(fd, address, address.byteSize())}. */
    public static void bind(int fd, MemorySegment address, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) BIND.invokeExact(state, fd, address, (int) address.byteSize()) < 0) {
                throw new SyscallException("bind", errno(state), what);
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code sendto(fd, NULL, 0, flags, NULL, 0)}, the wake-up call of an AF_XDP socket, on a hot
     * path: the caller passes a call-state segment it allocated once ({@link #newCallState}).
     * Returns 0, or the errno when the call failed.
     */
    public static int sendtoEmpty(int fd, int flags, MemorySegment callState) {
        try {
            long rc = (long) SENDTO.invokeExact(callState, fd, MemorySegment.NULL, 0L, flags, MemorySegment.NULL, 0);
            return rc < 0 ? errno(callState) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A segment to capture errno in, for the hot-path calls that take one. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** Binds the calling thread to the CPUs in {@code cpus} ({@code sched_setaffinity(0, …)}). */
    public static void pinCallingThread(int... cpus) {
        setAffinity(0, cpus);
    }

    /** Binds thread {@code tid} (0: the calling one) to the CPUs in {@code cpus}. */
    public static void setAffinity(int tid, int... cpus) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment mask = arena.allocate(128, 8); // cpu_set_t: 1024 bits
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= 1024) {
                    throw new IllegalArgumentException("CPU " + cpu + " is outside 0..1023");
                }
                long word = mask.get(JAVA_LONG, (cpu / 64) * 8L);
                mask.set(JAVA_LONG, (cpu / 64) * 8L, word | (1L << (cpu % 64)));
            }
            if ((int) SCHED_SETAFFINITY.invokeExact(state, tid, mask.byteSize(), mask) < 0) {
                throw new SyscallException(
                        "sched_setaffinity",
                        errno(state),
                        "thread " + tid + " to CPUs " + java.util.Arrays.toString(cpus));
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

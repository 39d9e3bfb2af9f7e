package org.levee.cbpf.testing;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Moves the calling thread into a network namespace of its own ({@code unshare(CLONE_NEWNET)}),
 * where no interface is up: libpcap resolves host and network names while compiling
 * ({@code host foo} asks DNS), and fuzzed names must fail at once instead of reaching a DNS
 * server. Namespaces belong to threads: threads the caller starts afterwards inherit it, and it
 * ends with the last of them, so nothing needs cleaning up. Needs CAP_SYS_ADMIN (root) and a
 * platform thread.
 */
public final class PrivateNetwork {
    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final ThreadLocal<Boolean> ENTERED = ThreadLocal.withInitial(() -> false);
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle UNSHARE = Linker.nativeLinker()
            .downcallHandle(
                    Linker.nativeLinker().defaultLookup().find("unshare").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT),
                    Linker.Option.captureCallState("errno"));

    private PrivateNetwork() {}

    /** Enters a new, empty network namespace, unless this thread already did. */
    public static void enter() {
        if (ENTERED.get()) {
            return;
        }
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException(
                    "a virtual thread may change carriers: enter a private network on a platform thread");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) UNSHARE.invokeExact(state, CLONE_NEWNET);
            if (rc != 0) {
                throw new IllegalStateException("unshare(CLONE_NEWNET) failed with errno " + (int) ERRNO.get(state, 0L)
                        + " (it needs CAP_SYS_ADMIN)");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling unshare failed", t);
        }
        ENTERED.set(true);
    }

    /**
     * Runs {@code work} on a new platform thread inside a private network and waits for it,
     * rethrowing what it threw: for calls from a test's own thread, which must keep the machine's
     * network for the tests that run after it in the same JVM (an API test on 127.0.0.1).
     */
    public static void run(Runnable work) {
        Throwable[] thrown = new Throwable[1];
        Thread thread = Thread.ofPlatform().name("private-network").start(() -> {
            try {
                enter();
                work.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the private network's thread", e);
        }
        if (thrown[0] instanceof RuntimeException e) {
            throw e;
        }
        if (thrown[0] instanceof Error e) {
            throw e;
        }
    }
}

package org.levee.cbpf.pcap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/**
 * libpcap through {@code java.lang.foreign}: the tcpdump filter language compiler
 * ({@code pcap_compile}) and libpcap's own filter interpreter ({@code pcap_offline_filter}), the
 * oracle Levee's interpreter and compiler are tested against.
 *
 * <p>Loads {@code libpcap.so.0.8} (Debian's soname; package {@code libpcap0.8}) on first use.
 * Every native resource is freed before a method returns. Compilation is serialised by one lock:
 * libpcap's compiler used global state before 1.8, and one lock costs nothing at this rate.
 */
public final class Libpcap {
    /** Debian's (and most distributions') soname of libpcap. */
    public static final String SONAME = "libpcap.so.0.8";
    /** The snapshot length filters are compiled for: {@code ret #262144} on a match. */
    public static final int DEFAULT_SNAPLEN = 262144;
    /** {@code PCAP_NETMASK_UNKNOWN}: "ip broadcast" then fails to compile, everything else works. */
    private static final int NETMASK_UNKNOWN = 0xffffffff;

    private static final int PCAP_ERRBUF_SIZE = 256;
    /**
     * The longest expression compiled. libpcap's compile time grows faster than an expression's
     * length for some shapes (8,000 unary minus signs, or 3,000 {@code host} terms, take over a
     * second here, holding the compiler lock); 4,096 characters stay below 0.2 s whatever the shape
     * found so far, and a classic BPF program has at most 4,096 instructions anyway.
     */
    public static final int MAX_EXPRESSION_LENGTH = 4096;

    private static final ReentrantLock COMPILER_LOCK = new ReentrantLock();

    // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } on LP64.
    private static final long BPF_PROGRAM_SIZE = 16;
    private static final long BF_INSNS_OFFSET = 8;
    // struct bpf_insn { u_short code; u_char jt; u_char jf; bpf_u_int32 k; }
    private static final long BPF_INSN_SIZE = 8;
    // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; } on LP64.
    private static final long PKTHDR_SIZE = 24;
    private static final long CAPLEN_OFFSET = 16;
    private static final long LEN_OFFSET = 20;

    private Libpcap() {}

    /** Compiles a tcpdump filter expression for Ethernet frames. */
    public static CbpfProgram compile(String expression) {
        return compile(expression, LinkType.EN10MB);
    }

    /** Compiles a tcpdump filter expression, optimised, for packets of {@code linkType}. */
    public static CbpfProgram compile(String expression, LinkType linkType) {
        return compile(expression, linkType, DEFAULT_SNAPLEN);
    }

    /**
     * Compiles {@code expression} with the optimiser on, as {@code tcpdump -ddd -r file} does for
     * a file of {@code linkType} with snapshot length {@code snaplen}.
     *
     * @throws CbpfException with libpcap's own message (e.g. "syntax error") when it does not compile,
     *                       when the expression holds a NUL character (libpcap takes a C string,
     *                       which would end there: the rest would be silently ignored), or when it
     *                       is longer than {@value #MAX_EXPRESSION_LENGTH} characters
     */
    public static CbpfProgram compile(String expression, LinkType linkType, int snaplen) {
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new CbpfException("cannot compile '"
                    + expression.substring(0, 40).replace("\0", "\\0") + "…': "
                    + expression.length() + " characters, more than " + MAX_EXPRESSION_LENGTH + " (libpcap's time grows"
                    + " faster than the length): split it into several rules");
        }
        int nul = expression.indexOf('\0');
        if (nul >= 0) {
            throw new CbpfException("cannot compile '" + expression.replace("\0", "\\0") + "': character " + (nul + 1)
                    + " is a NUL, where libpcap would stop reading and ignore the rest");
        }
        Native lib = Native.get();
        COMPILER_LOCK.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) lib.openDead.invokeExact(linkType.dlt(), snaplen);
            if (handle.equals(MemorySegment.NULL)) {
                throw new CbpfException("pcap_open_dead(" + linkType + ", " + snaplen + ") failed");
            }
            try {
                MemorySegment program = arena.allocate(BPF_PROGRAM_SIZE, 8);
                int rc = (int)
                        lib.compile.invokeExact(handle, program, arena.allocateFrom(expression), 1, NETMASK_UNKNOWN);
                if (rc != 0) {
                    MemorySegment message = (MemorySegment) lib.geterr.invokeExact(handle);
                    throw new CbpfException("libpcap cannot compile '" + expression + "': "
                            + message.reinterpret(PCAP_ERRBUF_SIZE).getString(0));
                }
                try {
                    return readProgram(program);
                } finally {
                    lib.freecode.invokeExact(program);
                }
            } finally {
                lib.close.invokeExact(handle);
            }
        } catch (CbpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling libpcap failed", t);
        } finally {
            COMPILER_LOCK.unlock();
        }
    }

    /** True when libpcap's filter interpreter accepts the packet ({@code pcap_offline_filter} ≠ 0). */
    public static boolean offlineFilter(CbpfProgram program, byte[] packet, int wireLength) {
        return offlineFilterResult(program, packet, wireLength) != 0;
    }

    /**
     * The value libpcap's interpreter returns for the packet ({@code pcap_offline_filter}: the
     * filter's return value, 0 for no match). The program must be valid ({@code CbpfValidator}):
     * libpcap does not check it.
     */
    public static int offlineFilterResult(CbpfProgram program, byte[] packet, int wireLength) {
        try (OfflineFilter filter = new OfflineFilter(program)) {
            return filter.run(packet, wireLength);
        }
    }

    /** The version string of the loaded libpcap, e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
    public static String version() {
        try {
            MemorySegment text = (MemorySegment) Native.get().libVersion.invokeExact();
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("calling pcap_lib_version failed", t);
        }
    }

    /**
     * A program copied into native memory once and run by libpcap on many packets: the fast way
     * to use libpcap as an oracle. Not thread-safe; close it to free the native copy.
     */
    public static final class OfflineFilter implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment program;
        private final MemorySegment header;
        private MemorySegment buffer;

        public OfflineFilter(CbpfProgram cbpf) {
            if (cbpf.size() == 0) {
                arena.close();
                throw new CbpfException("libpcap treats an empty program as 'accept all': refusing to run it");
            }
            MemorySegment insns = arena.allocate(BPF_INSN_SIZE * cbpf.size(), 8);
            for (int i = 0; i < cbpf.size(); i++) {
                CbpfInstruction insn = cbpf.get(i);
                long base = i * BPF_INSN_SIZE;
                insns.set(JAVA_SHORT, base, (short) insn.code());
                insns.set(JAVA_BYTE, base + 2, (byte) insn.jt());
                insns.set(JAVA_BYTE, base + 3, (byte) insn.jf());
                insns.set(JAVA_INT, base + 4, insn.k());
            }
            program = arena.allocate(BPF_PROGRAM_SIZE, 8);
            program.set(JAVA_INT, 0, cbpf.size());
            program.set(ADDRESS, BF_INSNS_OFFSET, insns);
            header = arena.allocate(PKTHDR_SIZE, 8);
            buffer = arena.allocate(2048, 8);
        }

        /** Runs the program on {@code packet} (the captured bytes) of {@code wireLength} bytes on the wire. */
        public int run(byte[] packet, int wireLength) {
            if (wireLength < packet.length) {
                throw new IllegalArgumentException(
                        "wireLength " + wireLength + " is smaller than the captured length " + packet.length);
            }
            if (buffer.byteSize() < packet.length) {
                buffer = arena.allocate(Math.max(packet.length, buffer.byteSize() * 2), 8);
            }
            MemorySegment.copy(packet, 0, buffer, JAVA_BYTE, 0, packet.length);
            header.set(JAVA_INT, CAPLEN_OFFSET, packet.length);
            header.set(JAVA_INT, LEN_OFFSET, wireLength);
            try {
                return (int) Native.get().offlineFilter.invokeExact(program, header, buffer);
            } catch (Throwable t) {
                throw new IllegalStateException("calling pcap_offline_filter failed", t);
            }
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    private static CbpfProgram readProgram(MemorySegment program) {
        int length = program.get(JAVA_INT, 0);
        MemorySegment insns = program.get(ADDRESS, BF_INSNS_OFFSET).reinterpret(BPF_INSN_SIZE * length);
        List<CbpfInstruction> instructions = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            long base = i * BPF_INSN_SIZE;
            instructions.add(new CbpfInstruction(
                    Short.toUnsignedInt(insns.get(JAVA_SHORT, base)),
                    Byte.toUnsignedInt(insns.get(JAVA_BYTE, base + 2)),
                    Byte.toUnsignedInt(insns.get(JAVA_BYTE, base + 3)),
                    insns.get(JAVA_INT, base + 4)));
        }
        return new CbpfProgram(instructions);
    }

    /** The bound functions, looked up once, when libpcap is first used. */
    private record Native(
            MethodHandle openDead,
            MethodHandle compile,
            MethodHandle freecode,
            MethodHandle geterr,
            MethodHandle close,
            MethodHandle offlineFilter,
            MethodHandle libVersion) {

        private static volatile Native instance;

        static Native get() {
            Native bound = instance;
            if (bound == null) {
                synchronized (Native.class) {
                    bound = instance;
                    if (bound == null) {
                        bound = bind();
                        instance = bound;
                    }
                }
            }
            return bound;
        }

        private static Native bind() {
            SymbolLookup library;
            try {
                library = SymbolLookup.libraryLookup(SONAME, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "cannot load " + SONAME + ": install libpcap (Debian: apt-get install libpcap0.8)", e);
            }
            Linker linker = Linker.nativeLinker();
            return new Native(
                    function(linker, library, "pcap_open_dead", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT)),
                    function(
                            linker,
                            library,
                            "pcap_compile",
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT)),
                    function(linker, library, "pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS)),
                    function(linker, library, "pcap_geterr", FunctionDescriptor.of(ADDRESS, ADDRESS)),
                    function(linker, library, "pcap_close", FunctionDescriptor.ofVoid(ADDRESS)),
                    function(
                            linker,
                            library,
                            "pcap_offline_filter",
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    function(linker, library, "pcap_lib_version", FunctionDescriptor.of(ADDRESS)));
        }

        private static MethodHandle function(
                Linker linker, SymbolLookup library, String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = library.find(name)
                    .orElseThrow(() -> new IllegalStateException(SONAME + " has no function " + name));
            return linker.downcallHandle(symbol, descriptor);
        }
    }
}

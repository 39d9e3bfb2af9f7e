package org.levee.ebpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.levee.ebpf.internal.Bpf;
import org.levee.ebpf.internal.BpfObjects;
import org.levee.ebpf.internal.Errno;
import org.levee.ebpf.internal.Fd;
import org.levee.ebpf.internal.FdKind;
import org.levee.ebpf.internal.Libc;
import org.levee.ebpf.internal.ObjectName;

/** A loaded BPF program held through a file descriptor. */
public final class Program implements AutoCloseable {
    private static final int INITIAL_LOG_BYTES = 64 * 1024;
    private static final int MAX_LOG_BYTES = 64 * 1024 * 1024;

    private final Fd fd;
    private final ProgramType type;
    private final String name;
    private final String verifierLog;

    private Program(Fd fd, ProgramType type, String name, String verifierLog) {
        this.fd = fd;
        this.type = type;
        this.name = name;
        this.verifierLog = verifierLog;
    }

    /**
     * Loads a program ({@code BPF_PROG_LOAD}). When the verifier rejects it, the exception holds
     * the verifier's log (the load is repeated with logging on, growing the buffer on ENOSPC).
     */
    public static Program load(ProgramSpec spec) {
        LoadAttempt attempt = attempt(spec, spec.logLevel());
        if (attempt.result.failed() && spec.logLevel() == 0) {
            // Loads without a log are faster; only a failure needs the verifier's explanation.
            LoadAttempt logged = attempt(spec, 1);
            if (!logged.result.failed()) { // should not happen: the same program loaded on the second try
                return new Program(new Fd((int) logged.result.value(), describe(spec)), spec.type(), spec.name(), "");
            }
            attempt = logged;
        }
        if (attempt.result.failed()) {
            throw new BpfException(
                    BpfCommand.BPF_PROG_LOAD,
                    attempt.result.errno(),
                    "load " + describe(spec) + " (" + spec.instructionCount() + " instructions)",
                    attempt.log);
        }
        return new Program(new Fd((int) attempt.result.value(), describe(spec)), spec.type(), spec.name(), attempt.log);
    }

    private record LoadAttempt(Libc.Result result, String log) {}

    private static LoadAttempt attempt(ProgramSpec spec, int logLevel) {
        int logBytes = logLevel == 0 ? 0 : INITIAL_LOG_BYTES;
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment insns = arena.allocateFrom(JAVA_BYTE, spec.instructions());
                MemorySegment license = arena.allocateFrom(spec.license());
                MemorySegment log = logBytes == 0 ? MemorySegment.NULL : arena.allocate(logBytes);
                MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
                attr.set(JAVA_INT, 0, spec.type().number());
                attr.set(JAVA_INT, 4, spec.instructionCount());
                attr.set(JAVA_LONG, 8, insns.address());
                attr.set(JAVA_LONG, 16, license.address());
                attr.set(JAVA_INT, 24, logLevel);
                attr.set(JAVA_INT, 28, logBytes);
                attr.set(JAVA_LONG, 32, log.address());
                ObjectName.write(attr, 48, spec.name());
                attr.set(JAVA_INT, 68, spec.expectedAttachType().number());
                Libc.Result r = Bpf.tryCall(BpfCommand.BPF_PROG_LOAD, attr);
                if (r.failed() && r.errno() == Errno.ENOSPC && logBytes > 0 && logBytes < MAX_LOG_BYTES) {
                    logBytes *= 4; // the log did not fit: the kernel fails the load; try again with more room
                    continue;
                }
                String text = logBytes == 0 ? "" : log.reinterpret(logBytes).getString(0, StandardCharsets.UTF_8);
                return new LoadAttempt(r, text);
            }
        }
    }

    /** Takes ownership of {@code fd}, a program fd. */
    public static Program fromFd(int fd) {
        FdKind.require(fd, FdKind.PROGRAM, "open program");
        ProgramInfo info;
        try {
            info = readInfo(fd, false);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new Program(new Fd(fd, "program '" + info.name() + "'"), info.type(), info.name(), "");
    }

    /** Opens the program with kernel id {@code id}. */
    public static Program fromId(int id) {
        return fromFd(BpfObjects.fdById(BpfCommand.BPF_PROG_GET_FD_BY_ID, id));
    }

    /** Opens the program pinned at {@code path}. */
    public static Program openPinned(Path path) {
        return fromFd(BpfObjects.get(path.toString()));
    }

    public void pin(Path path) {
        BpfObjects.pin(fd.get(), path.toString());
    }

    /** Runs the program once or more on {@code run.data()} ({@code BPF_PROG_TEST_RUN}). */
    public TestRunResult testRun(TestRun run) {
        byte[] data = run.data();
        byte[] context = run.context();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(1, data.length), 8);
            MemorySegment.copy(data, 0, in, JAVA_BYTE, 0, data.length);
            MemorySegment out =
                    run.dataOutCapacity() == 0 ? MemorySegment.NULL : arena.allocate(run.dataOutCapacity(), 8);
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd.get());
            attr.set(JAVA_INT, 8, data.length);
            attr.set(JAVA_INT, 12, run.dataOutCapacity());
            attr.set(JAVA_LONG, 16, in.address());
            attr.set(JAVA_LONG, 24, out.address());
            attr.set(JAVA_INT, 32, run.repeat());
            if (context != null) {
                MemorySegment ctx = arena.allocateFrom(JAVA_BYTE, context);
                attr.set(JAVA_INT, 40, context.length);
                attr.set(JAVA_LONG, 48, ctx.address());
            }
            attr.set(JAVA_INT, 64, run.flags());
            attr.set(JAVA_INT, 68, run.cpu());
            attr.set(JAVA_INT, 72, run.batchSize());
            Bpf.call(
                    BpfCommand.BPF_PROG_TEST_RUN,
                    attr,
                    "test run of " + this + " with " + data.length + " bytes, repeat " + run.repeat());
            int outSize = Math.min(attr.get(JAVA_INT, 12), run.dataOutCapacity());
            byte[] dataOut = out.equals(MemorySegment.NULL)
                    ? new byte[0]
                    : out.reinterpret(outSize).toArray(JAVA_BYTE);
            return new TestRunResult(attr.get(JAVA_INT, 4), dataOut, Integer.toUnsignedLong(attr.get(JAVA_INT, 36)));
        }
    }

    /** Id, tag, name, type, lengths, verified instruction count, map ids and the translated code. */
    public ProgramInfo info() {
        return readInfo(fd.get(), true);
    }

    private static ProgramInfo readInfo(int fd, boolean withCode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(232, 8);
            BpfObjects.info(fd, info, "program fd " + fd);
            int xlatedLength = info.get(JAVA_INT, 20);
            int mapCount = info.get(JAVA_INT, 52);
            byte[] xlated = new byte[0];
            List<Integer> mapIds = new ArrayList<>();
            if (withCode && (xlatedLength > 0 || mapCount > 0)) {
                // Second call with buffers sized from the first.
                MemorySegment code = arena.allocate(Math.max(8, xlatedLength), 8);
                MemorySegment ids = arena.allocate(Math.max(4, 4L * mapCount), 8);
                MemorySegment again = arena.allocate(232, 8);
                again.set(JAVA_INT, 20, xlatedLength);
                again.set(JAVA_LONG, 32, code.address());
                again.set(JAVA_INT, 52, mapCount);
                again.set(JAVA_LONG, 56, ids.address());
                BpfObjects.info(fd, again, "program fd " + fd);
                info = again;
                xlatedLength = Math.min(xlatedLength, again.get(JAVA_INT, 20));
                xlated = code.asSlice(0, xlatedLength).toArray(JAVA_BYTE);
                int n = Math.min(mapCount, again.get(JAVA_INT, 52));
                for (int i = 0; i < n; i++) {
                    mapIds.add(ids.getAtIndex(JAVA_INT, i));
                }
            }
            byte[] tag = info.asSlice(8, 8).toArray(JAVA_BYTE);
            return new ProgramInfo(
                    ProgramType.of(info.get(JAVA_INT, 0)),
                    info.get(JAVA_INT, 4),
                    ObjectName.read(info, 64),
                    tag,
                    info.get(JAVA_INT, 20),
                    info.get(JAVA_INT, 16),
                    info.get(JAVA_INT, 216),
                    List.copyOf(mapIds),
                    xlated);
        }
    }

    /** The fd, e.g. to put into a program array. Valid until {@link #close()}. */
    public int fd() {
        return fd.get();
    }

    public ProgramType type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** The verifier's log of a load with log level 1 or 2; empty otherwise. */
    public String verifierLog() {
        return verifierLog;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return type.name().toLowerCase() + " program" + (name.isEmpty() ? "" : " '" + name + "'");
    }

    private static String describe(ProgramSpec spec) {
        return spec.type().name().toLowerCase() + " program" + (spec.name().isEmpty() ? "" : " '" + spec.name() + "'");
    }
}

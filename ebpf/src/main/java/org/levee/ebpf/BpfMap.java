package org.levee.ebpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.ebpf.internal.Bpf;
import org.levee.ebpf.internal.BpfObjects;
import org.levee.ebpf.internal.Errno;
import org.levee.ebpf.internal.Fd;
import org.levee.ebpf.internal.FdKind;
import org.levee.ebpf.internal.Libc;
import org.levee.ebpf.internal.ObjectName;

/**
 * A BPF map held through a file descriptor. Keys and values are {@code byte[]} in the kernel's
 * layout (host byte order for numbers); the int/long helpers cover the common 4-byte keys.
 * For per-CPU maps a value is every possible CPU's value back to back, each rounded up to 8 bytes
 * ({@link #userValueSize()}).
 */
public final class BpfMap implements AutoCloseable {
    private final Fd fd;
    private final MapInfo info;

    private BpfMap(Fd fd, MapInfo info) {
        this.fd = fd;
        this.info = info;
    }

    /** Creates a map ({@code BPF_MAP_CREATE}). */
    public static BpfMap create(MapSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, spec.type().number());
            attr.set(JAVA_INT, 4, spec.keySize());
            attr.set(JAVA_INT, 8, spec.valueSize());
            attr.set(JAVA_INT, 12, spec.maxEntries());
            attr.set(JAVA_INT, 16, spec.flags());
            ObjectName.write(attr, 28, spec.name());
            int fd = (int) Bpf.call(
                    BpfCommand.BPF_MAP_CREATE,
                    attr,
                    "create " + describe(spec.type(), spec.name())
                            + " (key " + spec.keySize() + " B, value " + spec.valueSize() + " B, " + spec.maxEntries()
                            + " entries, flags 0x" + Integer.toHexString(spec.flags()) + ")");
            return fromFd(fd);
        }
    }

    /** Takes ownership of {@code fd}, a map fd (e.g. from a pin or another process). */
    public static BpfMap fromFd(int fd) {
        FdKind.require(fd, FdKind.MAP, "open map");
        MapInfo info;
        try {
            info = readInfo(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new BpfMap(new Fd(fd, describe(info.type(), info.name())), info);
    }

    /** Opens the map with kernel id {@code id}. */
    public static BpfMap fromId(int id) {
        return fromFd(BpfObjects.fdById(BpfCommand.BPF_MAP_GET_FD_BY_ID, id));
    }

    /** Opens the map pinned at {@code path} (in a bpffs). */
    public static BpfMap openPinned(Path path) {
        return fromFd(BpfObjects.get(path.toString()));
    }

    /** Pins the map at {@code path} (in a bpffs): it then outlives this process's fds. */
    public void pin(Path path) {
        BpfObjects.pin(fd.get(), path.toString());
    }

    /** The fd, e.g. to patch into an LD_IMM64 instruction. Valid until {@link #close()}. */
    public int fd() {
        return fd.get();
    }

    /** Type, sizes, id and name as reported by the kernel when the map was opened. */
    public MapInfo info() {
        return info;
    }

    public MapType type() {
        return info.type();
    }

    /** Bytes of a value as user space sees it: for per-CPU maps, 8-byte-rounded size × possible CPUs. */
    public int userValueSize() {
        return userValueSize(info.type(), info.valueSize());
    }

    static int userValueSize(MapType type, int valueSize) {
        return type.perCpu() ? ((valueSize + 7) & ~7) * PossibleCpus.count() : valueSize;
    }

    /** The value of {@code key}, or empty when the key is missing. */
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_BYTE, key);
            MemorySegment v = arena.allocate(Math.max(1, userValueSize()), 8);
            MemorySegment attr = elemAttr(arena, k, v, 0);
            Libc.Result r = Bpf.tryCall(BpfCommand.BPF_MAP_LOOKUP_ELEM, attr);
            if (r.failed()) {
                if (r.errno() == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw new BpfException(BpfCommand.BPF_MAP_LOOKUP_ELEM, r.errno(), "lookup in " + this, null);
            }
            return Optional.of(v.reinterpret(userValueSize()).toArray(JAVA_BYTE));
        }
    }

    /** Sets {@code key} to {@code value} ({@code BPF_ANY}). */
    public void update(byte[] key, byte[] value) {
        update(key, value, UpdateFlag.ANY);
    }

    /** Sets {@code key} to {@code value}; {@code flag} says whether the key must exist or must not. */
    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkKey(key);
        if (value.length != userValueSize()) {
            throw new IllegalArgumentException("value has " + value.length + " bytes; " + this + " takes "
                    + userValueSize() + "-byte values"
                    + (info.type().perCpu()
                            ? " (" + PossibleCpus.count() + " possible CPUs × " + ((info.valueSize() + 7) & ~7)
                                    + " bytes)"
                            : ""));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = elemAttr(
                    arena, arena.allocateFrom(JAVA_BYTE, key), arena.allocateFrom(JAVA_BYTE, value), flag.value());
            Bpf.call(BpfCommand.BPF_MAP_UPDATE_ELEM, attr, "update " + this + " with " + flag);
        }
    }

    /** Deletes {@code key}; false when it was missing. */
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = elemAttr(arena, arena.allocateFrom(JAVA_BYTE, key), MemorySegment.NULL, 0);
            Libc.Result r = Bpf.tryCall(BpfCommand.BPF_MAP_DELETE_ELEM, attr);
            if (r.failed()) {
                if (r.errno() == Errno.ENOENT) {
                    return false;
                }
                throw new BpfException(BpfCommand.BPF_MAP_DELETE_ELEM, r.errno(), "delete from " + this, null);
            }
            return true;
        }
    }

    /** The key after {@code key} ({@code null}: the first key), or empty after the last. */
    public Optional<byte[]> nextKey(byte[] key) {
        if (key != null) {
            checkKey(key);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = key == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, key);
            MemorySegment next = arena.allocate(Math.max(1, info.keySize()), 8);
            MemorySegment attr = elemAttr(arena, k, next, 0);
            Libc.Result r = Bpf.tryCall(BpfCommand.BPF_MAP_GET_NEXT_KEY, attr);
            if (r.failed()) {
                if (r.errno() == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw new BpfException(BpfCommand.BPF_MAP_GET_NEXT_KEY, r.errno(), "iterate " + this, null);
            }
            return Optional.of(next.reinterpret(info.keySize()).toArray(JAVA_BYTE));
        }
    }

    /** Every key, by iterating with {@link #nextKey}; concurrent deletes may restart the walk in the kernel. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        Optional<byte[]> k = nextKey(null);
        while (k.isPresent()) {
            keys.add(k.get());
            k = nextKey(k.get());
        }
        return keys;
    }

    /**
     * Every entry through {@code BPF_MAP_LOOKUP_BATCH}: one system call per {@code batchSize}
     * entries instead of two per entry.
     */
    public List<MapEntry> lookupBatch(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        int keySize = info.keySize();
        int valueSize = userValueSize();
        List<MapEntry> entries = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            // The batch token is a bucket number (u32) for hashes and a key for arrays.
            long tokenSize = Math.max(8, keySize);
            MemorySegment tokenIn = arena.allocate(tokenSize, 8);
            MemorySegment tokenOut = arena.allocate(tokenSize, 8);
            int capacity = batchSize;
            MemorySegment keys = arena.allocate((long) keySize * capacity, 8);
            MemorySegment values = arena.allocate((long) valueSize * capacity, 8);
            boolean first = true;
            while (true) {
                MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
                attr.set(JAVA_LONG, 0, first ? 0 : tokenIn.address());
                attr.set(JAVA_LONG, 8, tokenOut.address());
                attr.set(JAVA_LONG, 16, keys.address());
                attr.set(JAVA_LONG, 24, values.address());
                attr.set(JAVA_INT, 32, capacity);
                attr.set(JAVA_INT, 36, fd.get());
                Libc.Result r = Bpf.tryCall(BpfCommand.BPF_MAP_LOOKUP_BATCH, attr);
                if (r.failed() && r.errno() == Errno.ENOSPC && attr.get(JAVA_INT, 32) == 0) {
                    // One hash bucket holds more entries than fit: retry this batch with more room.
                    capacity *= 2;
                    keys = arena.allocate((long) keySize * capacity, 8);
                    values = arena.allocate((long) valueSize * capacity, 8);
                    continue;
                }
                if (r.failed() && r.errno() != Errno.ENOENT) {
                    throw new BpfException(BpfCommand.BPF_MAP_LOOKUP_BATCH, r.errno(), "batch lookup in " + this, null);
                }
                int count = attr.get(JAVA_INT, 32);
                for (int i = 0; i < count; i++) {
                    entries.add(new MapEntry(
                            keys.asSlice((long) i * keySize, keySize).toArray(JAVA_BYTE),
                            values.asSlice((long) i * valueSize, valueSize).toArray(JAVA_BYTE)));
                }
                if (r.failed()) { // ENOENT: that was the last batch
                    return entries;
                }
                MemorySegment.copy(tokenOut, 0, tokenIn, 0, tokenSize);
                first = false;
            }
        }
    }

    /** Every entry, in batches of up to 256. */
    public List<MapEntry> lookupBatch() {
        return lookupBatch(Math.min(256, info.maxEntries()));
    }

    /** Makes the map read-only for user space ({@code BPF_MAP_FREEZE}); programs may still write unless F_RDONLY_PROG. */
    public void freeze() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd.get());
            Bpf.call(BpfCommand.BPF_MAP_FREEZE, attr, "freeze " + this);
        }
    }

    /** Reads the kernel's current info (id, sizes, name) for this map. */
    public MapInfo readInfo() {
        return readInfo(fd.get());
    }

    // ---- int/long helpers: 4-byte keys in host byte order ----

    public static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4)
                .order(ByteOrder.nativeOrder())
                .putInt(value)
                .array();
    }

    public static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.nativeOrder())
                .putLong(value)
                .array();
    }

    public void put(int key, int value) {
        update(intBytes(key), intBytes(value), UpdateFlag.ANY);
    }

    public void put(int key, long value) {
        update(intBytes(key), longBytes(value), UpdateFlag.ANY);
    }

    /** The 4-byte value of {@code key}, or empty when missing. */
    public Optional<Integer> getInt(int key) {
        return lookup(intBytes(key))
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /** The 8-byte value of {@code key}, or empty when missing. */
    public Optional<Long> getLong(int key) {
        return lookup(intBytes(key))
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong());
    }

    /** Each possible CPU's 8-byte value of {@code key} in a per-CPU map (zeros when missing). */
    public long[] perCpuLongs(int key) {
        if (!info.type().perCpu()) {
            throw new IllegalStateException(this + " is not a per-CPU map");
        }
        int stride = (info.valueSize() + 7) & ~7;
        long[] result = new long[PossibleCpus.count()];
        lookup(intBytes(key)).ifPresent(v -> {
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            for (int cpu = 0; cpu < result.length; cpu++) {
                result[cpu] = b.getLong(cpu * stride);
            }
        });
        return result;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return describe(info.type(), info.name());
    }

    private static String describe(MapType type, String name) {
        return type.name().toLowerCase() + " map" + (name.isEmpty() ? "" : " '" + name + "'");
    }

    private void checkKey(byte[] key) {
        if (key.length != info.keySize()) {
            throw new IllegalArgumentException(
                    "key has " + key.length + " bytes; " + this + " takes " + info.keySize() + "-byte keys");
        }
    }

    private MemorySegment elemAttr(Arena arena, MemorySegment key, MemorySegment valueOrNext, long flags) {
        MemorySegment attr = arena.allocate(Bpf.ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd.get());
        attr.set(JAVA_LONG, 8, key.address());
        attr.set(JAVA_LONG, 16, valueOrNext.address());
        attr.set(JAVA_LONG, 24, flags);
        return attr;
    }

    private static MapInfo readInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(88, 8);
            BpfObjects.info(fd, info, "map fd " + fd);
            return new MapInfo(
                    MapType.of(info.get(JAVA_INT, 0)),
                    info.get(JAVA_INT, 4),
                    ObjectName.read(info, 24),
                    info.get(JAVA_INT, 8),
                    info.get(JAVA_INT, 12),
                    info.get(JAVA_INT, 16),
                    info.get(JAVA_INT, 20));
        }
    }
}

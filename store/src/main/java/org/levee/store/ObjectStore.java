package org.levee.store;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.StoreException;

/**
 * Rule-set objects in etcd, content-addressed: chunk N of the object with SHA-256 S is at
 * {@code PREFIX objects/S/N}, and chunk N of its gzip form, when written, at {@code PREFIX
 * objects/S/gzip/N}. Writing batches the chunks into transactions that stay within etcd's default
 * limits (128 operations, 1.5 MiB per request); reading fetches every chunk at once and checks
 * count, size and digest.
 *
 * <p>Why a gzip form: a thousand edges each read the whole object from etcd on every change. A
 * compiled rule set (ELF: code, relocations, symbols, JSON metadata) shrinks about seven times,
 * and etcd's CPU and the bytes it sends shrink with it (docs/benchmarks.md, "Fleet").
 */
public final class ObjectStore {
    private static final System.Logger LOG = System.getLogger("org.levee.store");

    /** At most this many bytes per transaction: etcd's default request limit is 1.5 MiB, minus room for framing. */
    static final long MAX_TXN_BYTES = 1400L * 1024;
    /** etcd's default --max-txn-ops. */
    static final int MAX_TXN_OPS = 128;

    private final EtcdClient client;
    private final FleetKeys keys;
    private final int chunkSize;
    /** The last object compressed, by digest: a publication compresses once for its manifest and its writes. */
    private volatile Gzipped lastGzipped;

    private record Gzipped(String sha256, byte[] gzip, ObjectRef ref) {}

    /** Objects cut into 1 MiB chunks. */
    public ObjectStore(EtcdClient client, FleetKeys keys) {
        this(client, keys, ObjectChunks.MAX_CHUNK);
    }

    /** Objects cut into chunks of {@code chunkSize} bytes (1..1 MiB). */
    public ObjectStore(EtcdClient client, FleetKeys keys, int chunkSize) {
        ObjectChunks.checkChunkSize(chunkSize);
        this.client = client;
        this.keys = keys;
        this.chunkSize = chunkSize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The reference {@code object} gets when written here. */
    public ObjectRef refOf(byte[] object) {
        return ObjectChunks.refOf(object, chunkSize);
    }

    /**
     * Writes every chunk of {@code object} (again, if it is already there: rewriting tells a
     * concurrent garbage collection that the object is in use) and returns its reference.
     */
    public ObjectRef write(byte[] object) {
        ObjectRef ref = refOf(object);
        List<byte[]> chunks = ObjectChunks.split(object, chunkSize);
        List<Op> ops = new ArrayList<>();
        for (int n = 0; n < chunks.size(); n++) {
            ops.add(Op.put(keys.chunk(ref.sha256(), n), chunks.get(n)));
        }
        writeAll(ops);
        return ref;
    }

    /** Puts, in order, in batches within etcd's limits. */
    private void writeAll(List<Op> ops) {
        for (List<Op> batch : batches(ops, MAX_TXN_OPS, MAX_TXN_BYTES)) {
            if (batch.size() == 1) {
                Op.Put put = (Op.Put) batch.getFirst();
                client.put(put.key(), put.value());
            } else {
                client.txn(List.of(), batch, List.of());
            }
        }
    }

    /**
     * The reference of {@code object}'s gzip form, for the manifest's {@code object_gzip}
     * ({@link RulesetManifest#withGzip}).
     */
    public ObjectRef gzipRefOf(byte[] object) {
        return gzipped(object).ref();
    }

    /**
     * Writes every chunk of {@code object}'s gzip form under the object's prefix (again, if it is
     * already there) and returns its reference. Write the plain chunks first ({@link #write}): the
     * collector and the manifest's conditions count on the plain chunks.
     */
    public ObjectRef writeGzip(byte[] object) {
        Gzipped g = gzipped(object);
        List<byte[]> chunks = ObjectChunks.split(g.gzip(), chunkSize);
        List<Op> ops = new ArrayList<>();
        for (int n = 0; n < chunks.size(); n++) {
            ops.add(Op.put(keys.gzipChunk(g.sha256(), n), chunks.get(n)));
        }
        writeAll(ops);
        return g.ref();
    }

    private Gzipped gzipped(byte[] object) {
        String sha256 = ObjectChunks.sha256(object);
        Gzipped last = lastGzipped;
        if (last != null && last.sha256().equals(sha256)) {
            return last;
        }
        byte[] gzip = ObjectChunks.gzip(object);
        Gzipped g = new Gzipped(sha256, gzip, ObjectChunks.refOf(gzip, chunkSize));
        lastGzipped = g;
        return g;
    }

    /**
     * The object {@code ref} names, every chunk read concurrently and the whole checked.
     *
     * @throws BadObjectException when a chunk is missing or count, size or digest disagree
     * @throws StoreException when etcd cannot be read
     */
    public byte[] read(ObjectRef ref) {
        return ObjectChunks.join(ref, readChunks(ref, n -> keys.chunk(ref.sha256(), n), "object " + ref.shortSha()));
    }

    /**
     * The object {@code ref} names, read through its gzip form when there is one: the compressed
     * chunks are read and checked against {@code gzip} (count, size, digest), inflated (never past
     * {@code ref}'s size) and the result checked against {@code ref}. When the gzip form cannot be
     * used — a chunk missing, a check failing, a broken stream — that is logged and the plain
     * chunks are read instead, so what comes back is always the object {@code ref} names.
     *
     * @throws BadObjectException when the plain chunks fail their checks too
     * @throws StoreException when etcd cannot be read
     */
    public byte[] read(ObjectRef ref, Optional<ObjectRef> gzip) {
        if (gzip.isPresent()) {
            ObjectRef g = gzip.get();
            String what = "the gzip form of object " + ref.shortSha();
            try {
                byte[] compressed =
                        ObjectChunks.join(g, readChunks(g, n -> keys.gzipChunk(ref.sha256(), n), what), what);
                return ObjectChunks.gunzip(ref, compressed);
            } catch (BadObjectException | IOException e) {
                LOG.log(
                        Level.WARNING,
                        "cannot use the gzip form, reading the plain chunks of object " + ref.shortSha() + ": "
                                + e.getMessage());
            }
        }
        return read(ref);
    }

    /** Every chunk of {@code ref} at the keys {@code key} gives, read concurrently; {@code what} names them in errors. */
    private List<byte[]> readChunks(ObjectRef ref, IntFunction<String> key, String what) {
        // Chunks never change (their key holds their object's digest), so a serializable read — any
        // member, or a grpc-proxy's cache, may answer — is as good as a linearizable one, except
        // that a member lagging behind may not have a chunk yet: those are read again linearizably.
        List<CompletableFuture<Optional<KeyValue>>> pending = new ArrayList<>();
        for (int n = 0; n < ref.chunks(); n++) {
            pending.add(client.getAsync(key.apply(n), true));
        }
        List<byte[]> chunks = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int n = 0; n < pending.size(); n++) {
            Optional<KeyValue> chunk = await(pending.get(n));
            if (chunk.isEmpty()) {
                chunk = await(client.getAsync(key.apply(n), false));
            }
            if (chunk.isEmpty()) {
                missing.add(n);
            } else {
                chunks.add(chunk.get().value());
            }
        }
        if (missing.size() == ref.chunks()) {
            String prefix = key.apply(0);
            throw new BadObjectException(
                    BadObjectException.Problem.MISSING_CHUNK,
                    ref,
                    what + " is not in the store: none of its " + ref.chunks() + " chunks exist under "
                            + prefix.substring(0, prefix.length() - 1));
        }
        if (!missing.isEmpty()) {
            int n = missing.getFirst();
            throw new BadObjectException(
                    BadObjectException.Problem.MISSING_CHUNK,
                    ref,
                    what
                            + ": chunk " + n + " of " + ref.chunks() + " is missing (no key " + key.apply(n) + ")"
                            + (missing.size() > 1
                                    ? "; " + missing.size() + " chunks are missing in all: " + missing
                                    : ""));
        }
        return chunks;
    }

    /** Groups operations, in order, so that no group has more than {@code maxOps} operations or {@code maxBytes} bytes. */
    static List<List<Op>> batches(List<Op> ops, int maxOps, long maxBytes) {
        List<List<Op>> batches = new ArrayList<>();
        List<Op> batch = new ArrayList<>();
        long bytes = 0;
        for (Op op : ops) {
            long size = op.approximateBytes();
            if (!batch.isEmpty() && (batch.size() == maxOps || bytes + size > maxBytes)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(op);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.OTHER, "interrupted while reading an object", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException(
                    StoreException.Reason.OTHER, "reading an object failed: " + e.getCause(), e.getCause());
        }
    }
}

package org.levee.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.StoreException;

/**
 * Rule-set objects in etcd, content-addressed: chunk N of the object with SHA-256 S is at
 * {@code PREFIX objects/S/N}. Writing batches the chunks into transactions that stay within etcd's
 * default limits (128 operations, 1.5 MiB per request); reading fetches every chunk at once and
 * checks count, size and digest.
 */
public final class ObjectStore {
    /** At most this many bytes per transaction: etcd's default request limit is 1.5 MiB, minus room for framing. */
    static final long MAX_TXN_BYTES = 1400L * 1024;
    /** etcd's default --max-txn-ops. */
    static final int MAX_TXN_OPS = 128;

    private final EtcdClient client;
    private final FleetKeys keys;
    private final int chunkSize;

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
        for (List<Op> batch : batches(ops, MAX_TXN_OPS, MAX_TXN_BYTES)) {
            if (batch.size() == 1) {
                Op.Put put = (Op.Put) batch.getFirst();
                client.put(put.key(), put.value());
            } else {
                client.txn(List.of(), batch, List.of());
            }
        }
        return ref;
    }

    /**
     * The object {@code ref} names, every chunk read concurrently and the whole checked.
     *
     * @throws BadObjectException when a chunk is missing or count, size or digest disagree
     * @throws StoreException when etcd cannot be read
     */
    public byte[] read(ObjectRef ref) {
        // Chunks never change (their key holds their object's digest), so a serializable read — any
        // member, or a grpc-proxy's cache, may answer — is as good as a linearizable one, except
        // that a member lagging behind may not have a chunk yet: those are read again linearizably.
        List<CompletableFuture<Optional<KeyValue>>> pending = new ArrayList<>();
        for (int n = 0; n < ref.chunks(); n++) {
            pending.add(client.getAsync(keys.chunk(ref.sha256(), n), true));
        }
        List<byte[]> chunks = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int n = 0; n < pending.size(); n++) {
            Optional<KeyValue> chunk = await(pending.get(n));
            if (chunk.isEmpty()) {
                chunk = await(client.getAsync(keys.chunk(ref.sha256(), n), false));
            }
            if (chunk.isEmpty()) {
                missing.add(n);
            } else {
                chunks.add(chunk.get().value());
            }
        }
        if (missing.size() == ref.chunks()) {
            throw new BadObjectException(BadObjectException.Problem.MISSING_CHUNK, ref, "object " + ref.shortSha()
                    + " is not in the store: none of its " + ref.chunks() + " chunks exist under " + keys.object(ref.sha256()));
        }
        if (!missing.isEmpty()) {
            int n = missing.getFirst();
            throw new BadObjectException(BadObjectException.Problem.MISSING_CHUNK, ref, "object " + ref.shortSha()
                    + ": chunk " + n + " of " + ref.chunks() + " is missing (no key " + keys.chunk(ref.sha256(), n) + ")"
                    + (missing.size() > 1 ? "; " + missing.size() + " chunks are missing in all: " + missing : ""));
        }
        return ObjectChunks.join(ref, chunks);
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
            throw new StoreException(StoreException.Reason.OTHER, "reading an object failed: " + e.getCause(), e.getCause());
        }
    }
}

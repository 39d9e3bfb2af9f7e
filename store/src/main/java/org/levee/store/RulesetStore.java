package org.levee.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.store.etcd.Compare;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyValue;
import org.levee.store.etcd.Op;
import org.levee.store.etcd.StoreException;
import org.levee.store.etcd.TxnResult;

/**
 * Publishing and fetching the rule set in force: the compiled object's chunks first, then the
 * manifest that names them, in a transaction that also checks that the chunks are there (a
 * garbage collection may have raced) and, for a leader, its {@link Fence}. So a manifest never
 * points at a missing object and a deposed leader never publishes.
 */
public final class RulesetStore {
    private static final int PUBLISH_ATTEMPTS = 3;

    private final EtcdClient client;
    private final FleetKeys keys;
    private final ObjectStore objects;

    /** Objects in 1 MiB chunks. */
    public RulesetStore(EtcdClient client, FleetKeys keys) {
        this(client, keys, new ObjectStore(client, keys));
    }

    public RulesetStore(EtcdClient client, FleetKeys keys, ObjectStore objects) {
        this.client = client;
        this.keys = keys;
        this.objects = objects;
    }

    public FleetKeys keys() {
        return keys;
    }

    public ObjectStore objects() {
        return objects;
    }

    /** The object reference to put in a manifest for {@code object}. */
    public ObjectRef refOf(byte[] object) {
        return objects.refOf(object);
    }

    /**
     * {@code manifest} (which names {@code object}) naming also the object's gzip form, which
     * {@link #publish} then writes and edges fetch instead of the plain chunks: about a seventh of
     * the bytes for a compiled rule set. Publishers should use it.
     */
    public RulesetManifest withGzip(RulesetManifest manifest, byte[] object) {
        checkNames(manifest, object);
        return manifest.withGzip(objects.gzipRefOf(object));
    }

    /**
     * Writes {@code object}'s chunks (and its gzip form's, when the manifest names one), then
     * {@code manifest}; returns the manifest's revision. The same as {@link #writeObject} followed
     * by {@link #commitManifest}.
     *
     * @param manifest names {@code object} ({@link #refOf}), and maybe its gzip form ({@link #withGzip})
     * @param fence when present, the manifest is written only while this leader holds the leader key
     * @throws NotLeaderException when the fence no longer holds; no manifest was written
     * @throws IllegalArgumentException when the manifest does not name {@code object} (or its gzip form)
     */
    public long publish(RulesetManifest manifest, byte[] object, Optional<Fence> fence) {
        ObjectRef ref = checkNames(manifest, object);
        write(manifest, object);
        return commit(manifest, RulesetManifestJson.encode(manifest), ref, object, fence);
    }

    /**
     * The first step of {@link #publish}: writes every chunk of {@code object} (again, if it is
     * already there), then those of its gzip form if {@code manifest} names one. Nothing names
     * them until {@link #commitManifest}.
     *
     * @throws IllegalArgumentException when the manifest does not name {@code object} or its gzip form
     */
    public void writeObject(RulesetManifest manifest, byte[] object) {
        checkNames(manifest, object);
        write(manifest, object);
    }

    private void write(RulesetManifest manifest, byte[] object) {
        Optional<ObjectRef> named = manifest.gzip();
        if (named.isPresent() && !objects.gzipRefOf(object).equals(named.get())) {
            throw new IllegalArgumentException("manifest version " + manifest.version() + " names gzip form "
                    + named.get() + " but the object's is " + objects.gzipRefOf(object));
        }
        objects.write(object);
        if (named.isPresent()) {
            objects.writeGzip(object);
        }
    }

    /**
     * The second step of {@link #publish}: writes {@code manifest} in one transaction that holds
     * only while the first and the last chunk of its object (and of its gzip form, if named) exist
     * and, with a fence, while this leader holds the leader key. If the chunks vanished (a
     * collection raced), writes them again and retries, up to three times. Returns the manifest's revision: from then on every watcher
     * of the manifest sees it (the benchmarks measure propagation from here).
     *
     * @param object the object the manifest names, already written by {@link #writeObject}
     * @throws NotLeaderException when the fence no longer holds; no manifest was written
     * @throws IllegalArgumentException when the manifest does not name {@code object}
     */
    public long commitManifest(RulesetManifest manifest, byte[] object, Optional<Fence> fence) {
        return commit(manifest, RulesetManifestJson.encode(manifest), checkNames(manifest, object), object, fence);
    }

    /**
     * {@link #publish(RulesetManifest, byte[], Optional)} of a manifest whose stored bytes are
     * {@code manifestJson} exactly: a signed manifest (org.levee.store.signing.ManifestSigning),
     * whose signature covers those bytes.
     *
     * @throws IllegalArgumentException when the bytes are not a manifest, or it does not name
     *     {@code object} (or its gzip form)
     */
    public long publish(byte[] manifestJson, byte[] object, Optional<Fence> fence) {
        RulesetManifest manifest = decoded(manifestJson);
        ObjectRef ref = checkNames(manifest, object);
        write(manifest, object);
        return commit(manifest, manifestJson.clone(), ref, object, fence);
    }

    /** {@link #commitManifest(RulesetManifest, byte[], Optional)} of a manifest stored as {@code manifestJson} exactly. */
    public long commitManifest(byte[] manifestJson, byte[] object, Optional<Fence> fence) {
        RulesetManifest manifest = decoded(manifestJson);
        return commit(manifest, manifestJson.clone(), checkNames(manifest, object), object, fence);
    }

    private RulesetManifest decoded(byte[] manifestJson) {
        try {
            return RulesetManifestJson.decode(manifestJson, keys.ruleset());
        } catch (BadManifestException e) {
            throw new IllegalArgumentException("not published: " + e.getMessage(), e);
        }
    }

    private long commit(RulesetManifest manifest, byte[] json, ObjectRef ref, byte[] object, Optional<Fence> fence) {
        for (int attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                write(manifest, object);
            }
            // Chunks are written in order and collected all at once, so the first and the last prove the rest.
            List<Compare> when = new ArrayList<>(List.of(
                    Compare.exists(keys.chunk(ref.sha256(), 0)),
                    Compare.exists(keys.chunk(ref.sha256(), ref.chunks() - 1))));
            manifest.gzip()
                    .ifPresent(gzip -> when.addAll(List.of(
                            Compare.exists(keys.gzipChunk(ref.sha256(), 0)),
                            Compare.exists(keys.gzipChunk(ref.sha256(), gzip.chunks() - 1)))));
            fence.ifPresent(f -> when.add(f.condition()));
            TxnResult result = client.txn(when, List.of(Op.put(keys.ruleset(), json)), List.of());
            if (result.succeeded()) {
                return result.revision();
            }
            if (fence.isPresent() && !fence.get().holds(client)) {
                throw new NotLeaderException("manifest version " + manifest.version() + " not written: " + fence.get()
                        + " no longer holds the leader key");
            }
        }
        throw new StoreException(
                StoreException.Reason.OTHER,
                "manifest version " + manifest.version()
                        + " not written: the chunks of object " + ref.shortSha() + " vanished " + PUBLISH_ATTEMPTS
                        + " times between writing them and the manifest (is a garbage collection running with no grace period?)");
    }

    private ObjectRef checkNames(RulesetManifest manifest, byte[] object) {
        ObjectRef ref = refOf(object);
        if (!manifest.object().equals(ref)) {
            throw new IllegalArgumentException("manifest version " + manifest.version() + " names object "
                    + manifest.object() + " but the object given is " + ref);
        }
        return ref;
    }

    /**
     * The manifest in force, if any.
     *
     * @throws BadManifestException when the stored manifest is not valid
     */
    public Optional<PublishedManifest> current() {
        return client.get(keys.ruleset()).map(RulesetStore::decode);
    }

    /** The manifest in {@code kv} (as a watch delivers it). */
    public static PublishedManifest decode(KeyValue kv) {
        return new PublishedManifest(RulesetManifestJson.decode(kv.value(), kv.key()), kv.modRevision(), kv.value());
    }

    /**
     * The object {@code manifest} names, checked against it: through its gzip form when the
     * manifest names one (falling back to the plain chunks if that form cannot be used), else its
     * plain chunks.
     *
     * @throws BadObjectException naming what is wrong (missing chunk n, size, digest)
     */
    public byte[] fetch(RulesetManifest manifest) {
        return objects.read(manifest.object(), manifest.gzip());
    }
}

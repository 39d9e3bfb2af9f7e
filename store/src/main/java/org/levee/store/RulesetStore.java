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
     * Writes {@code object}'s chunks, then {@code manifest}; returns the manifest's revision.
     *
     * @param manifest names {@code object} ({@link #refOf})
     * @param fence when present, the manifest is written only while this leader holds the leader key
     * @throws NotLeaderException when the fence no longer holds; no manifest was written
     * @throws IllegalArgumentException when the manifest does not name {@code object}
     */
    public long publish(RulesetManifest manifest, byte[] object, Optional<Fence> fence) {
        return publish(RulesetManifestJson.encode(manifest), object, fence);
    }

    /**
     * Writes {@code object}'s chunks, then the manifest whose stored bytes are {@code manifestJson}
     * exactly (a signed manifest: org.levee.store.signing.ManifestSigning); returns its revision.
     *
     * @param manifestJson a manifest that names {@code object}
     * @param fence when present, the manifest is written only while this leader holds the leader key
     * @throws NotLeaderException when the fence no longer holds; no manifest was written
     * @throws IllegalArgumentException when the bytes are not a manifest, or it does not name {@code object}
     */
    public long publish(byte[] manifestJson, byte[] object, Optional<Fence> fence) {
        RulesetManifest manifest;
        try {
            manifest = RulesetManifestJson.decode(manifestJson, keys.ruleset());
        } catch (BadManifestException e) {
            throw new IllegalArgumentException("not published: " + e.getMessage(), e);
        }
        ObjectRef ref = refOf(object);
        if (!manifest.object().equals(ref)) {
            throw new IllegalArgumentException("manifest version " + manifest.version() + " names object " + manifest.object()
                    + " but the object given is " + ref);
        }
        byte[] json = manifestJson.clone();
        for (int attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
            objects.write(object);
            // Chunks are written in order and collected all at once, so the first and the last prove the rest.
            List<Compare> when = new ArrayList<>(List.of(
                    Compare.exists(keys.chunk(ref.sha256(), 0)), Compare.exists(keys.chunk(ref.sha256(), ref.chunks() - 1))));
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
        throw new StoreException(StoreException.Reason.OTHER, "manifest version " + manifest.version()
                + " not written: the chunks of object " + ref.shortSha() + " vanished " + PUBLISH_ATTEMPTS
                + " times between writing them and the manifest (is a garbage collection running with no grace period?)");
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
     * The object {@code manifest} names, checked against it.
     *
     * @throws BadObjectException naming what is wrong (missing chunk n, size, digest)
     */
    public byte[] fetch(RulesetManifest manifest) {
        return objects.read(manifest.object());
    }
}

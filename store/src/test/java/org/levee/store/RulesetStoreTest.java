package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Via;

/** Publishing and fetching rule-set objects through real etcd, directly and through grpc-proxy. */
class RulesetStoreTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EtcdHarness etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1).startProxy();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** A fresh key layout per test, so tests do not see each other's objects. */
    private static FleetKeys freshKeys() {
        return new FleetKeys("/levee-test-" + PREFIXES.incrementAndGet() + "/");
    }

    private static byte[] randomObject(int size, long seed) {
        byte[] object = new byte[size];
        new Random(seed).nextBytes(object);
        return object;
    }

    private static RulesetManifest manifest(long version, ObjectRef ref) {
        return new RulesetManifest(
                version,
                List.of("syn-" + version, "dns-" + version),
                ref,
                Instant.parse("2026-12-07T06:00:00Z"),
                "ctl-test");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aThreeAndAHalfMibObjectGoesInFourChunksThatEtcdctlReadsBack(Via via) throws Exception {
        EtcdClient client = via.client(etcd);
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys);
        byte[] object = randomObject(3 * (1 << 20) + (1 << 19), 35);
        RulesetManifest manifest = manifest(1, store.refOf(object));
        assertThat(manifest.object().chunks()).isEqualTo(4);

        long revision = store.publish(manifest, object, Optional.empty());

        PublishedManifest current = store.current().orElseThrow();
        assertThat(current.manifest()).isEqualTo(manifest);
        assertThat(current.modRevision()).isEqualTo(revision);
        assertThat(store.fetch(current.manifest())).isEqualTo(object);

        // What operators and scripts see.
        JsonNode chunks = JSON.readTree(
                etcd.etcdctl("get", "--prefix", keys.object(manifest.object().sha256()), "--write-out=json"));
        TreeMap<Integer, byte[]> byNumber = new TreeMap<>();
        for (JsonNode kv : chunks.get("kvs")) {
            String key = new String(Base64.getDecoder().decode(kv.get("key").asText()), StandardCharsets.UTF_8);
            int n = Integer.parseInt(
                    key.substring(keys.object(manifest.object().sha256()).length()));
            byNumber.put(n, Base64.getDecoder().decode(kv.get("value").asText()));
        }
        assertThat(byNumber.keySet()).containsExactly(0, 1, 2, 3);
        assertThat(byNumber.values()).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(ObjectChunks.MAX_CHUNK));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        byNumber.values().forEach(joined::writeBytes);
        assertThat(ObjectChunks.sha256(joined.toByteArray()))
                .isEqualTo(manifest.object().sha256());

        JsonNode stored = JSON.readTree(etcd.etcdctl("get", keys.ruleset(), "--print-value-only"));
        assertThat(stored.get("version").asLong()).isEqualTo(1);
        assertThat(stored.get("rules")).extracting(JsonNode::asText).containsExactly("syn-1", "dns-1");
        assertThat(stored.get("object").get("sha256").asText()).isEqualTo(ObjectChunks.sha256(object));
        assertThat(stored.get("object").get("size").asLong()).isEqualTo(object.length);
        assertThat(stored.get("object").get("chunks").asInt()).isEqualTo(4);
        assertThat(stored.get("compiled_at").asText()).isEqualTo("2026-12-07T06:00:00Z");
        assertThat(stored.get("controller").asText()).isEqualTo("ctl-test");
    }

    @Test
    void smallChunksAreWrittenInTransactionsOfAtMost128Operations() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        ObjectStore objects = new ObjectStore(client, keys, 1024);
        byte[] object = randomObject(300 * 1024 + 5, 300);
        ObjectRef ref = objects.write(object); // 301 chunks: etcd would refuse a single transaction
        assertThat(ref.chunks()).isEqualTo(301);
        assertThat(etcd.etcdctl("get", "--prefix", keys.object(ref.sha256()), "--keys-only")
                        .lines()
                        .filter(l -> !l.isBlank()))
                .hasSize(301);
        assertThat(objects.read(ref)).isEqualTo(object);
        List<List<org.levee.store.etcd.Op>> plan = ObjectStore.batches(
                java.util.stream.IntStream.range(0, 301)
                        .mapToObj(n -> org.levee.store.etcd.Op.put(keys.chunk(ref.sha256(), n), new byte[1024]))
                        .toList(),
                ObjectStore.MAX_TXN_OPS,
                ObjectStore.MAX_TXN_BYTES);
        assertThat(plan).extracting(List::size).containsExactly(128, 128, 45);
    }

    @Test
    void megabyteChunksGoOnePerRequestUnderEtcdsLimit() {
        FleetKeys keys = freshKeys();
        String sha = "ab".repeat(32);
        List<org.levee.store.etcd.Op> ops = java.util.stream.IntStream.range(0, 5)
                .mapToObj(n -> org.levee.store.etcd.Op.put(
                        keys.chunk(sha, n), new byte[n == 4 ? 1000 : ObjectChunks.MAX_CHUNK]))
                .toList();
        List<List<org.levee.store.etcd.Op>> plan =
                ObjectStore.batches(ops, ObjectStore.MAX_TXN_OPS, ObjectStore.MAX_TXN_BYTES);
        // The small last chunk rides with the one before it: 1 MiB + 1000 bytes < 1.4 MiB.
        assertThat(plan).extracting(List::size).containsExactly(1, 1, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aMissingChunkIsNamedWithItsKey(Via via) {
        EtcdClient client = via.client(etcd);
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys, new ObjectStore(client, keys, 1000));
        byte[] object = randomObject(3500, 2);
        RulesetManifest manifest = manifest(3, store.refOf(object));
        store.publish(manifest, object, Optional.empty());
        etcd.etcdctl("del", keys.chunk(manifest.object().sha256(), 2));

        assertThatThrownBy(() -> store.fetch(store.current().orElseThrow().manifest()))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.MISSING_CHUNK))
                .hasMessage("object " + manifest.object().shortSha() + ": chunk 2 of 4 is missing (no key "
                        + keys.chunk(manifest.object().sha256(), 2) + ")");
    }

    @Test
    void aTamperedOrTruncatedChunkIsCaughtByTheDigestOrTheSize() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys, new ObjectStore(client, keys, 1000));
        byte[] object = randomObject(3500, 3);
        RulesetManifest manifest = manifest(4, store.refOf(object));
        store.publish(manifest, object, Optional.empty());
        String sha = manifest.object().sha256();

        byte[] tampered = java.util.Arrays.copyOfRange(object, 1000, 2000);
        tampered[17] ^= 0x40;
        client.put(keys.chunk(sha, 1), tampered);
        assertThatThrownBy(() -> store.fetch(manifest))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.DIGEST))
                .hasMessageContaining("the SHA-256 of its 4 chunks is ")
                .hasMessageEndingWith("the manifest says " + sha);

        client.put(keys.chunk(sha, 1), java.util.Arrays.copyOfRange(object, 1000, 1999));
        assertThatThrownBy(() -> store.fetch(manifest))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.SIZE))
                .hasMessage("object " + manifest.object().shortSha()
                        + ": its 4 chunks hold 3499 bytes, the manifest says 3500");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aManifestPointingAtAnObjectThatIsNotThereIsRefusedAndABrokenOneNamesItsField(Via via) {
        EtcdClient client = via.client(etcd);
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys);
        String nowhere = "cd".repeat(32);
        // Written by an operator, by hand.
        etcd.etcdctl(
                "put",
                keys.ruleset(),
                "{\"version\":9,\"rules\":[],\"object\":{\"sha256\":\"" + nowhere
                        + "\",\"size\":2000000,\"chunks\":2},\"compiled_at\":\"2026-12-07T06:00:00Z\",\"controller\":\"by-hand\"}");
        RulesetManifest manifest = store.current().orElseThrow().manifest();
        assertThatThrownBy(() -> store.fetch(manifest))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.MISSING_CHUNK))
                .hasMessage("object cdcdcdcdcdcd is not in the store: none of its 2 chunks exist under "
                        + keys.object(nowhere));

        etcd.etcdctl(
                "put",
                keys.ruleset(),
                "{\"version\":10,\"rules\":[],\"object\":{\"sha256\":\"" + nowhere
                        + "\",\"size\":\"big\",\"chunks\":2},\"compiled_at\":\"2026-12-07T06:00:00Z\",\"controller\":\"by-hand\"}");
        assertThatThrownBy(store::current)
                .isInstanceOf(BadManifestException.class)
                .hasMessage("manifest at " + keys.ruleset()
                        + ": field 'object.size' must be a whole number in 1..268435456, got \"big\"");
    }

    @Test
    void aManifestMustNameTheObjectPublishedWithIt() {
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(etcd.client(), keys);
        byte[] object = randomObject(5000, 5);
        RulesetManifest other = manifest(1, store.refOf(randomObject(5000, 6)));
        assertThatThrownBy(() -> store.publish(other, object, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but the object given is");
        assertThat(store.current()).isEmpty();
    }

    @Test
    void unreferencedObjectsGoAfterTheGracePeriodAndTheOneInUseStays() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys, new ObjectStore(client, keys, 4096));
        byte[] a = randomObject(10_000, 10);
        byte[] b = randomObject(20_000, 11);
        RulesetManifest ma = manifest(1, store.refOf(a));
        RulesetManifest mb = manifest(2, store.refOf(b));
        store.publish(ma, a, Optional.empty());
        store.publish(mb, b, Optional.empty());
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T06:00:00Z"));
        InstantSource clock = now::get;
        ObjectCollector collector = new ObjectCollector(client, keys, ObjectCollector.DEFAULT_GRACE, clock);

        ObjectCollector.Collection first = collector.collect();
        assertThat(first.inUse()).contains(mb.object().sha256());
        assertThat(first.deleted()).isEmpty();
        assertThat(first.waiting()).containsExactly(ma.object().sha256());

        now.set(now.get().plus(Duration.ofMinutes(9)));
        assertThat(collector.collect().deleted()).isEmpty();
        now.set(now.get().plus(Duration.ofMinutes(1)));
        ObjectCollector.Collection due = collector.collect();
        assertThat(due.deleted()).containsExactly(ma.object().sha256());
        assertThat(client.keys(KeyRange.prefix(keys.object(ma.object().sha256())))
                        .kvs())
                .isEmpty();
        assertThat(store.fetch(store.current().orElseThrow().manifest())).isEqualTo(b);
        assertThat(collector.collect())
                .isEqualTo(
                        new ObjectCollector.Collection(Optional.of(mb.object().sha256()), List.of(), List.of()));
    }

    @Test
    void aCollectionNeverRemovesAnObjectThatIsPublishedAgainMeanwhile() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys, new ObjectStore(client, keys, 4096));
        byte[] a = randomObject(10_000, 20);
        byte[] b = randomObject(10_000, 21);
        store.publish(manifest(1, store.refOf(a)), a, Optional.empty());
        store.publish(manifest(2, store.refOf(b)), b, Optional.empty());
        ObjectCollector collector = new ObjectCollector(client, keys, Duration.ZERO);

        // The collector decides that A is unreferenced...
        List<ObjectCollector.Candidate> candidates =
                collector.scan().orElseThrow().candidates();
        assertThat(candidates)
                .extracting(ObjectCollector.Candidate::sha256)
                .containsExactly(store.refOf(a).sha256());
        // ...while a controller publishes A again (a rollback): its chunks are rewritten, then the manifest.
        store.publish(manifest(3, store.refOf(a)), a, Optional.empty());
        assertThat(collector.delete(candidates.getFirst())).isFalse();
        assertThat(store.fetch(store.current().orElseThrow().manifest())).isEqualTo(a);

        // A publisher that has rewritten A's chunks but not yet its manifest is protected the same way.
        store.publish(manifest(4, store.refOf(b)), b, Optional.empty());
        List<ObjectCollector.Candidate> again = collector.scan().orElseThrow().candidates();
        store.objects().write(a);
        assertThat(collector.delete(again.getFirst())).isFalse();
        assertThat(store.objects().read(store.refOf(a))).isEqualTo(a);
        // Left alone, it goes.
        assertThat(collector.collect().deleted()).containsExactly(store.refOf(a).sha256());
    }

    @Test
    void noObjectIsCollectedWhileTheManifestCannotBeRead() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = new RulesetStore(client, keys, new ObjectStore(client, keys, 4096));
        byte[] a = randomObject(5_000, 30);
        store.objects().write(a);
        client.put(keys.ruleset(), "not json".getBytes(StandardCharsets.UTF_8));
        ObjectCollector collector = new ObjectCollector(client, keys, Duration.ZERO);
        assertThat(collector.collect())
                .isEqualTo(new ObjectCollector.Collection(Optional.empty(), List.of(), List.of()));
        assertThat(store.objects().read(store.refOf(a))).isEqualTo(a);
    }
}

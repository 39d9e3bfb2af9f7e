package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.KeyRange;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Via;
import org.levee.testing.Requirements;

/**
 * The object's gzip form through real etcd, directly and through grpc-proxy: what is written,
 * that {@code gunzip} reads it, that edges fetch it instead of the plain chunks, that any fault in
 * it falls back to the plain chunks, and that it lives and goes with its object.
 */
class GzipFormTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final int CHUNK = 4096;
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

    private static FleetKeys freshKeys() {
        return new FleetKeys("/levee-gzip-" + PREFIXES.incrementAndGet() + "/");
    }

    private static RulesetStore store(EtcdClient client, FleetKeys keys) {
        return new RulesetStore(client, keys, new ObjectStore(client, keys, CHUNK));
    }

    private static RulesetManifest manifest(RulesetStore store, long version, byte[] object) {
        return store.withGzip(
                new RulesetManifest(
                        version,
                        List.of("r" + version),
                        store.refOf(object),
                        Instant.parse("2026-12-07T06:00:00Z"),
                        "ctl-test"),
                object);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void theGzipFormIsWrittenUnderTheObjectReadByGunzipAndFetchedInsteadOfThePlainChunks(Via via) throws Exception {
        Requirements.command("gzip");
        EtcdClient client = via.client(etcd);
        FleetKeys keys = freshKeys();
        RulesetStore store = store(client, keys);
        byte[] object = ObjectChunksTest.compressible(200_000, 1);
        RulesetManifest manifest = manifest(store, 1, object);
        ObjectRef gzip = manifest.gzip().orElseThrow();
        assertThat(gzip.size()).isLessThan(object.length / 2);
        assertThat(gzip.chunks()).isGreaterThan(1);

        store.publish(manifest, object, Optional.empty());

        JsonNode stored = JSON.readTree(etcd.etcdctl("get", keys.ruleset(), "--print-value-only"));
        assertThat(stored.get("object_gzip").get("sha256").asText()).isEqualTo(gzip.sha256());
        assertThat(stored.get("object_gzip").get("size").asLong()).isEqualTo(gzip.size());
        assertThat(stored.get("object_gzip").get("chunks").asInt()).isEqualTo(gzip.chunks());
        assertThat(store.current().orElseThrow().manifest()).isEqualTo(manifest);

        // The standard tool reads the form: the chunks, in the manifest's order, are one gzip stream.
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int n = 0; n < gzip.chunks(); n++) {
            joined.writeBytes(client.get(keys.gzipChunk(manifest.object().sha256(), n))
                    .orElseThrow()
                    .value());
        }
        assertThat(gunzipWithTheTool(joined.toByteArray())).isEqualTo(object);

        // An edge fetches the gzip form: with every plain chunk gone it still gets the object.
        for (int n = 0; n < manifest.object().chunks(); n++) {
            client.delete(KeyRange.key(keys.chunk(manifest.object().sha256(), n)));
        }
        assertThat(store.fetch(store.current().orElseThrow().manifest())).isEqualTo(object);
    }

    /** Each way the gzip form can be wrong. */
    enum Fault {
        CHUNK_MISSING,
        BYTE_FLIPPED,
        CUT_SHORT,
        ANOTHER_OBJECTS_FORM,
        INFLATES_LONGER,
        NOT_GZIP
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aGzipFormThatCannotBeUsedFallsBackToThePlainChunks(Fault fault) {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = store(client, keys);
        byte[] object = ObjectChunksTest.compressible(100_000, 2);
        RulesetManifest manifest = manifest(store, 1, object);
        store.publish(manifest, object, Optional.empty());
        String sha = manifest.object().sha256();
        ObjectRef gzip = manifest.gzip().orElseThrow();
        byte[] first = client.get(keys.gzipChunk(sha, 0)).orElseThrow().value();

        RulesetManifest published = manifest;
        switch (fault) {
            case CHUNK_MISSING -> client.delete(KeyRange.key(keys.gzipChunk(sha, 1)));
            case BYTE_FLIPPED -> {
                first[first.length / 2] ^= 0x10;
                client.put(keys.gzipChunk(sha, 0), first);
            }
            case CUT_SHORT -> client.put(keys.gzipChunk(sha, 0), java.util.Arrays.copyOf(first, first.length - 1));
            case ANOTHER_OBJECTS_FORM, INFLATES_LONGER, NOT_GZIP -> {
                // A form whose own digest and size match the manifest, but which is not this object compressed.
                byte[] other = switch (fault) {
                    case ANOTHER_OBJECTS_FORM -> ObjectChunks.gzip(ObjectChunksTest.compressible(100_000, 3));
                    case INFLATES_LONGER -> ObjectChunks.gzip(java.util.Arrays.copyOf(object, object.length + 1000));
                    default -> ObjectChunksTest.compressible(20_000, 4);
                };
                client.delete(KeyRange.prefix(keys.object(sha) + "gzip/"));
                List<byte[]> chunks = ObjectChunks.split(other, CHUNK);
                for (int n = 0; n < chunks.size(); n++) {
                    client.put(keys.gzipChunk(sha, n), chunks.get(n));
                }
                published = manifest.withGzip(ObjectChunks.refOf(other, CHUNK));
                client.put(keys.ruleset(), RulesetManifestJson.encode(published));
            }
        }
        RulesetManifest seen = store.current().orElseThrow().manifest();
        assertThat(seen).isEqualTo(published);
        assertThat(store.fetch(seen)).isEqualTo(object);

        // With the plain chunks broken as well, the plain chunks' problem is the one reported.
        client.delete(KeyRange.key(keys.chunk(sha, 3)));
        assertThatThrownBy(() -> store.fetch(seen))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.MISSING_CHUNK))
                .hasMessage("object " + manifest.object().shortSha() + ": chunk 3 of "
                        + manifest.object().chunks() + " is missing (no key " + keys.chunk(sha, 3) + ")");
        assertThat(gzip.chunks()).isGreaterThan(1);
    }

    @Test
    void aManifestNamingAnotherGzipFormIsRefusedBeforeAnythingIsWritten() {
        FleetKeys keys = freshKeys();
        RulesetStore store = store(etcd.client(), keys);
        byte[] object = ObjectChunksTest.compressible(50_000, 5);
        byte[] other = ObjectChunksTest.compressible(50_000, 6);
        RulesetManifest wrong = new RulesetManifest(1, List.of("a"), store.refOf(object), Instant.now(), "ctl")
                .withGzip(store.objects().gzipRefOf(other));
        assertThatThrownBy(() -> store.publish(wrong, object, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("manifest version 1 names gzip form ObjectRef[sha256="
                        + store.objects().gzipRefOf(other).sha256());
        assertThat(etcd.client().keys(KeyRange.prefix(keys.prefix())).kvs()).isEmpty();
    }

    @Test
    void theManifestIsCommittedOnlyOnceItsGzipFormIsThere() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = store(client, keys);
        byte[] object = ObjectChunksTest.compressible(60_000, 7);
        RulesetManifest manifest = manifest(store, 1, object);
        store.objects().write(object); // the plain chunks only: as if the gzip form had been collected meanwhile

        store.commitManifest(
                manifest, object, Optional.empty()); // its condition fails once; it writes both forms again

        String sha = manifest.object().sha256();
        for (int n = 0; n < manifest.gzip().orElseThrow().chunks(); n++) {
            assertThat(client.get(keys.gzipChunk(sha, n))).as("gzip chunk " + n).isPresent();
        }
        assertThat(store.fetch(store.current().orElseThrow().manifest())).isEqualTo(object);
    }

    @Test
    void theCollectorRemovesTheGzipFormWithItsObject() {
        EtcdClient client = etcd.client();
        FleetKeys keys = freshKeys();
        RulesetStore store = store(client, keys);
        byte[] a = ObjectChunksTest.compressible(30_000, 8);
        byte[] b = ObjectChunksTest.compressible(30_000, 9);
        RulesetManifest ma = manifest(store, 1, a);
        store.publish(ma, a, Optional.empty());
        store.publish(manifest(store, 2, b), b, Optional.empty());
        assertThat(client.keys(KeyRange.prefix(keys.object(ma.object().sha256()) + "gzip/"))
                        .kvs())
                .isNotEmpty();

        ObjectCollector.Collection collected = new ObjectCollector(client, keys, Duration.ZERO).collect();

        assertThat(collected.deleted()).containsExactly(ma.object().sha256());
        assertThat(client.keys(KeyRange.prefix(keys.object(ma.object().sha256())))
                        .kvs())
                .isEmpty();
        assertThat(store.fetch(store.current().orElseThrow().manifest())).isEqualTo(b);
    }

    private static byte[] gunzipWithTheTool(byte[] gzip) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("gzip", "-dc").start();
        Thread feeder = Thread.ofVirtual()
                .start(
                        () -> { // gzip writes while it reads: feed it from another thread
                            try (var in = p.getOutputStream()) {
                                in.write(gzip);
                            } catch (IOException e) {
                                // gzip exited early; its exit code says why
                            }
                        });
        byte[] out = p.getInputStream().readAllBytes();
        feeder.join();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as(new String(p.getErrorStream().readAllBytes()))
                .isZero();
        return out;
    }
}

package org.levee.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectChunksTest {

    static Stream<Arguments> sizes() {
        int mib = ObjectChunks.MAX_CHUNK;
        // Edge sizes around the chunk size, then seeded random ones.
        Stream<Arguments> edges = Stream.of(1, 2, mib - 1, mib, mib + 1, 3 * mib + mib / 2, 4 * mib)
                .map(size -> Arguments.of(size, mib, 7L));
        Random seeds = new Random(20261207);
        Stream<Arguments> random = IntStream.range(0, 12).mapToObj(i -> {
            int chunk = 1 + seeds.nextInt(70_000);
            return Arguments.of(1 + seeds.nextInt(400_000), chunk, seeds.nextLong());
        });
        return Stream.concat(edges, random);
    }

    @ParameterizedTest(name = "{0} bytes in chunks of {1} (seed {2})")
    @MethodSource("sizes")
    void splitThenJoinGivesTheObjectBackAndTheRefCountsTheChunks(int size, int chunkSize, long seed) {
        byte[] object = new byte[size];
        new Random(seed).nextBytes(object);
        ObjectRef ref = ObjectChunks.refOf(object, chunkSize);
        List<byte[]> chunks = ObjectChunks.split(object, chunkSize);
        assertThat(chunks).hasSize(ref.chunks()).hasSize((size + chunkSize - 1) / chunkSize);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isBetween(1, chunkSize));
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c).hasSize(chunkSize));
        assertThat(ref.size()).isEqualTo(size);
        assertThat(ObjectChunks.join(ref, chunks)).isEqualTo(object);
    }

    @Test
    void theDigestIsSha256InLowercaseHex() {
        // FIPS 180-2's example: SHA-256("abc").
        assertThat(ObjectChunks.sha256("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void joinNamesTheFirstCheckThatFails() {
        byte[] object = new byte[10_000];
        new Random(1).nextBytes(object);
        ObjectRef ref = ObjectChunks.refOf(object, 4096);
        List<byte[]> chunks = ObjectChunks.split(object, 4096);

        assertThatThrownBy(() -> ObjectChunks.join(ref, chunks.subList(0, 2)))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.CHUNK_COUNT))
                .hasMessage("object " + ref.shortSha() + ": 2 chunks, the manifest says 3");

        List<byte[]> shorter = new ArrayList<>(chunks);
        shorter.set(2, java.util.Arrays.copyOf(chunks.get(2), chunks.get(2).length - 1));
        assertThatThrownBy(() -> ObjectChunks.join(ref, shorter))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.SIZE))
                .hasMessage("object " + ref.shortSha() + ": its 3 chunks hold 9999 bytes, the manifest says 10000");

        List<byte[]> tampered = new ArrayList<>(chunks);
        byte[] changed = chunks.get(1).clone();
        changed[100] ^= 1;
        tampered.set(1, changed);
        assertThatThrownBy(() -> ObjectChunks.join(ref, tampered))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.DIGEST))
                .hasMessageStartingWith("object " + ref.shortSha() + ": the SHA-256 of its 3 chunks is ")
                .hasMessageEndingWith(", the manifest says " + ref.sha256());
    }

    /** Text-like bytes (words from a small vocabulary, as symbol and metadata sections are), so gzip has work to do. */
    static byte[] compressible(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {
            "rule_", "port-", "udp", "198.51.100.0/24", "drop", "\"id\":", "xdp", "enabled", "\u0000\u0000"
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 32);
        while (out.size() < size) {
            out.writeBytes(words[random.nextInt(words.length)].getBytes(StandardCharsets.UTF_8));
            out.write(random.nextInt(256)); // and some noise
        }
        return java.util.Arrays.copyOf(out.toByteArray(), size);
    }

    static Stream<Arguments> gzipObjects() {
        Random seeds = new Random(20261208);
        return IntStream.range(0, 10)
                .mapToObj(i -> Arguments.of(1 + seeds.nextInt(i < 2 ? 50 : 600_000), seeds.nextLong(), i % 3 == 0));
    }

    @ParameterizedTest(name = "{0} bytes (seed {1}, random bytes {2})")
    @MethodSource("gzipObjects")
    void gunzipGivesBackWhatGzipCompressed(int size, long seed, boolean random) throws IOException {
        byte[] object = random ? new byte[size] : compressible(size, seed);
        if (random) {
            new Random(seed).nextBytes(object);
        }
        ObjectRef ref = ObjectChunks.refOf(object, ObjectChunks.MAX_CHUNK);
        byte[] gzip = ObjectChunks.gzip(object);
        assertThat(gzip[0] & 0xff).isEqualTo(0x1f); // gzip's magic
        assertThat(gzip[1] & 0xff).isEqualTo(0x8b);
        if (!random && size > 10_000) {
            assertThat(gzip.length).isLessThan(size / 2);
        }
        assertThat(ObjectChunks.gunzip(ref, gzip)).isEqualTo(object);
    }

    @Test
    void gunzipRefusesAStreamThatIsNotTheObject() {
        byte[] object = compressible(100_000, 3);
        ObjectRef ref = ObjectChunks.refOf(object, ObjectChunks.MAX_CHUNK);

        byte[] longer = java.util.Arrays.copyOf(object, object.length + 1);
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, ObjectChunks.gzip(longer)))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.SIZE))
                .hasMessage("object " + ref.shortSha()
                        + ": its gzip form holds more than 100000 bytes, the manifest says 100000");
        // A stream that would inflate to far more (a "bomb") is cut one byte past the size.
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, ObjectChunks.gzip(new byte[50 << 20])))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.SIZE));

        byte[] shorter = java.util.Arrays.copyOf(object, object.length - 1);
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, ObjectChunks.gzip(shorter)))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.SIZE))
                .hasMessage("object " + ref.shortSha() + ": its gzip form holds 99999 bytes, the manifest says 100000");

        byte[] other = object.clone();
        other[5000] ^= 1;
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, ObjectChunks.gzip(other)))
                .isInstanceOfSatisfying(
                        BadObjectException.class,
                        e -> assertThat(e.problem()).isEqualTo(BadObjectException.Problem.DIGEST))
                .hasMessageStartingWith("object " + ref.shortSha() + ": the SHA-256 of its gzip form is ");

        byte[] gzip = ObjectChunks.gzip(object);
        byte[] flipped = gzip.clone();
        flipped[flipped.length - 6] ^= 1; // in the trailer's CRC-32
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, flipped)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, java.util.Arrays.copyOf(gzip, gzip.length / 2)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ObjectChunks.gunzip(ref, object)).isInstanceOf(IOException.class); // not gzip at all
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> ObjectChunks.split(new byte[0], 10)).hasMessage("an empty object cannot be stored");
        assertThatThrownBy(() -> ObjectChunks.split(new byte[10], ObjectChunks.MAX_CHUNK + 1))
                .hasMessage("chunk size 1048577 is outside 1..1048576 bytes");
        String sha = "0".repeat(64);
        assertThatThrownBy(() -> new ObjectRef(sha, 10, 11))
                .hasMessage("object of 10 bytes in 11 chunks: need 1..size chunks");
        assertThatThrownBy(() -> new ObjectRef("ABC", 10, 1))
                .hasMessage("SHA-256 'ABC' must be 64 lowercase hex digits");
        assertThatThrownBy(() -> new ObjectRef(sha, 0, 1)).hasMessageContaining("object size 0 is outside");
    }
}

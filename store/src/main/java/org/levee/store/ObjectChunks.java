package org.levee.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Cuts an object into chunks for etcd and puts it back together, checking it against its
 * {@link ObjectRef}. etcd refuses requests over 1.5 MiB by default, so a chunk holds at most
 * {@value #MAX_CHUNK} bytes.
 */
public final class ObjectChunks {
    private ObjectChunks() {}

    /** 1 MiB: one chunk and its key fit in one request under etcd's default 1.5 MiB limit. */
    public static final int MAX_CHUNK = 1 << 20;

    /** The SHA-256 of {@code bytes} in lowercase hex. */
    public static String sha256(byte[] bytes) {
        try {
            return ObjectRef.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** The reference of {@code object} cut into chunks of {@code chunkSize}. */
    public static ObjectRef refOf(byte[] object, int chunkSize) {
        checkChunkSize(chunkSize);
        return new ObjectRef(sha256(object), object.length, (int) ((object.length + (long) chunkSize - 1) / chunkSize));
    }

    /** {@code object} cut into chunks of {@code chunkSize} bytes (the last one shorter). */
    public static List<byte[]> split(byte[] object, int chunkSize) {
        checkChunkSize(chunkSize);
        if (object.length == 0) {
            throw new IllegalArgumentException("an empty object cannot be stored");
        }
        List<byte[]> chunks = new ArrayList<>();
        for (int offset = 0; offset < object.length; offset += chunkSize) {
            chunks.add(Arrays.copyOfRange(object, offset, Math.min(object.length, offset + chunkSize)));
        }
        return chunks;
    }

    /**
     * The object the chunks make, checked against {@code ref}: chunk count, total size, SHA-256.
     *
     * @throws BadObjectException naming the first check that fails
     */
    public static byte[] join(ObjectRef ref, List<byte[]> chunks) {
        return join(ref, chunks, "object " + ref.shortSha());
    }

    /** {@link #join(ObjectRef, List)}, naming the bytes {@code what} in errors ("the gzip form of object …"). */
    static byte[] join(ObjectRef ref, List<byte[]> chunks, String what) {
        if (chunks.size() != ref.chunks()) {
            throw new BadObjectException(
                    BadObjectException.Problem.CHUNK_COUNT,
                    ref,
                    what + ": " + chunks.size() + " chunks, the manifest says " + ref.chunks());
        }
        long size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        if (size != ref.size()) {
            throw new BadObjectException(
                    BadObjectException.Problem.SIZE,
                    ref,
                    what + ": its " + chunks.size() + " chunks hold " + size + " bytes, the manifest says "
                            + ref.size());
        }
        // One chunk is the object already (the caller's fresh array): no copy.
        byte[] object = chunks.size() == 1 ? chunks.getFirst() : new byte[(int) size];
        int offset = 0;
        for (byte[] chunk : chunks.size() == 1 ? List.<byte[]>of() : chunks) {
            System.arraycopy(chunk, 0, object, offset, chunk.length);
            offset += chunk.length;
        }
        checkDigest(ref, object, what, "its " + chunks.size() + " chunks");
        return object;
    }

    /** {@code object} gzip-compressed (the standard format: {@code gunzip} reads it). */
    public static byte[] gzip(byte[] object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(object.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024)) {
            gzip.write(object);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress into memory", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /**
     * The object {@code gzip} decompresses to, checked against {@code ref}: never more than
     * {@code ref.size()} + 1 bytes are inflated (a stream that says more is cut there and refused
     * for its size), then size and SHA-256.
     *
     * @throws BadObjectException when size or digest disagree with {@code ref}
     * @throws IOException when {@code gzip} is not a valid gzip stream (format, CRC, length)
     */
    public static byte[] gunzip(ObjectRef ref, byte[] gzip) throws IOException {
        // Inflated straight into an array of the manifest's size (no growing buffers: a thousand
        // edges in one benchmark JVM would collect them); one byte more tells a longer stream.
        byte[] object = new byte[(int) ref.size()];
        int read;
        boolean longer;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 16 * 1024)) {
            read = in.readNBytes(object, 0, object.length);
            longer = read == object.length && in.read() != -1; // the read past the end also checks the CRC
        }
        if (read != ref.size() || longer) {
            throw new BadObjectException(
                    BadObjectException.Problem.SIZE,
                    ref,
                    "object " + ref.shortSha() + ": its gzip form holds " + (longer ? "more than " + ref.size() : read)
                            + " bytes, the manifest says " + ref.size());
        }
        checkDigest(ref, object, "object " + ref.shortSha(), "its gzip form");
        return object;
    }

    private static void checkDigest(ObjectRef ref, byte[] bytes, String what, String of) {
        String actual = sha256(bytes);
        if (!actual.equals(ref.sha256())) {
            throw new BadObjectException(
                    BadObjectException.Problem.DIGEST,
                    ref,
                    what + ": the SHA-256 of " + of + " is " + actual + ", the manifest says " + ref.sha256());
        }
    }

    static void checkChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is outside 1.." + MAX_CHUNK + " bytes");
        }
    }
}

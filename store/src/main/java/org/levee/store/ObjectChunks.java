package org.levee.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        if (chunks.size() != ref.chunks()) {
            throw new BadObjectException(BadObjectException.Problem.CHUNK_COUNT, ref,
                    "object " + ref.shortSha() + ": " + chunks.size() + " chunks, the manifest says " + ref.chunks());
        }
        long size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        if (size != ref.size()) {
            throw new BadObjectException(BadObjectException.Problem.SIZE, ref,
                    "object " + ref.shortSha() + ": its " + chunks.size() + " chunks hold " + size + " bytes, the manifest says " + ref.size());
        }
        byte[] object = new byte[(int) size];
        int offset = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, object, offset, chunk.length);
            offset += chunk.length;
        }
        String actual = sha256(object);
        if (!actual.equals(ref.sha256())) {
            throw new BadObjectException(BadObjectException.Problem.DIGEST, ref,
                    "object " + ref.shortSha() + ": the SHA-256 of its " + chunks.size() + " chunks is " + actual
                            + ", the manifest says " + ref.sha256());
        }
        return object;
    }

    static void checkChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is outside 1.." + MAX_CHUNK + " bytes");
        }
    }
}

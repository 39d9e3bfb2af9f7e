package org.levee.store.signing;

import java.util.Map;
import java.util.Optional;

/**
 * Just enough DER to say which algorithm a key that the JDK refused is for: the OID of the
 * AlgorithmIdentifier in a PKCS#8 PrivateKeyInfo or an X.509 SubjectPublicKeyInfo. Never used to
 * accept a key — the JDK's KeyFactory does that.
 */
final class Der {
    private Der() {}

    /** The OID of Ed25519 (RFC 8410). */
    static final String ED25519 = "1.3.101.112";

    private static final Map<String, String> NAMES = Map.of(
            ED25519,
            "Ed25519",
            "1.3.101.113",
            "Ed448",
            "1.3.101.110",
            "X25519",
            "1.3.101.111",
            "X448",
            "1.2.840.113549.1.1.1",
            "RSA",
            "1.2.840.10045.2.1",
            "EC (ECDSA)",
            "1.2.840.10040.4.1",
            "DSA");

    /** "Ed448 (1.3.101.113)", or the OID alone when the name is not known. */
    static String describe(String oid) {
        String name = NAMES.get(oid);
        return name == null ? "OID " + oid : name + " (" + oid + ")";
    }

    /**
     * The algorithm OID of a PKCS#8 ({@code privateKey}) or SubjectPublicKeyInfo structure, when it
     * can be found.
     */
    static Optional<String> algorithm(byte[] der, boolean privateKey) {
        try {
            Reader r = new Reader(der);
            r.enter(0x30); // PrivateKeyInfo / SubjectPublicKeyInfo
            if (privateKey) {
                r.skip(0x02); // version
            }
            r.enter(0x30); // AlgorithmIdentifier
            return Optional.of(oid(r.read(0x06)));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private static String oid(byte[] value) {
        if (value.length == 0) {
            throw new IllegalArgumentException("empty OID");
        }
        StringBuilder s = new StringBuilder();
        int first = value[0] & 0xff;
        s.append(Math.min(first / 40, 2)).append('.').append(first - 40 * Math.min(first / 40, 2));
        long arc = 0;
        for (int i = 1; i < value.length; i++) {
            arc = (arc << 7) | (value[i] & 0x7f);
            if ((value[i] & 0x80) == 0) {
                s.append('.').append(arc);
                arc = 0;
            }
        }
        return s.toString();
    }

    /** Walks tag-length-value items; {@link #enter} goes into a constructed one. */
    private static final class Reader {
        private final byte[] der;
        private int at;

        Reader(byte[] der) {
            this.der = der;
        }

        void enter(int tag) {
            header(tag);
        }

        void skip(int tag) {
            int length = header(tag); // before adding: header() moves past the tag and length
            at += length;
        }

        byte[] read(int tag) {
            int length = header(tag);
            byte[] value = java.util.Arrays.copyOfRange(der, at, at + length);
            at += length;
            return value;
        }

        private int header(int tag) {
            if ((der[at++] & 0xff) != tag) {
                throw new IllegalArgumentException("tag");
            }
            int length = der[at++] & 0xff;
            if (length > 0x80) {
                int bytes = length & 0x7f;
                if (bytes > 3) {
                    throw new IllegalArgumentException("length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[at++] & 0xff);
                }
            } else if (length == 0x80) {
                throw new IllegalArgumentException("indefinite length");
            }
            if (at + length > der.length) {
                throw new IllegalArgumentException("length");
            }
            return length;
        }
    }
}

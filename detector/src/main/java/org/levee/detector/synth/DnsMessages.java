package org.levee.detector.synth;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

/** DNS messages as resolvers and servers send them: a header, one question, optional answers. */
public final class DnsMessages {

    private DnsMessages() {}

    /** A query for {@code name} (type {@code qtype}), with an EDNS OPT record when asked. */
    public static byte[] query(int id, String name, int qtype, boolean edns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, id, 0x0100, 1, 0, edns ? 1 : 0);
        question(out, name, qtype);
        if (edns) {
            out.writeBytes(new byte[] {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
        }
        return out.toByteArray();
    }

    /**
     * A response for {@code name} with {@code answers} A records (or, for big amplification
     * answers, TXT records padded to {@code answerBytes} in all).
     */
    public static byte[] response(
            int id, String name, int qtype, int answers, int answerBytes, SplittableRandom random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, id, 0x8180, 1, answers, 0);
        question(out, name, qtype);
        int each = answers == 0 ? 0 : Math.max(16, answerBytes / answers);
        for (int i = 0; i < answers; i++) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12}); // pointer to the question name
            int rdLength = each - 12;
            boolean a = rdLength == 4;
            out.writeBytes(
                    new byte[] {0, (byte) (a ? 1 : 16), 0, 1, 0, 0, 0x0e, 0x10, (byte) (rdLength >>> 8), (byte) rdLength
                    });
            byte[] data = new byte[rdLength];
            random.nextBytes(data);
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int id, int flags, int qd, int an, int ar) {
        out.writeBytes(new byte[] {
            (byte) (id >>> 8),
            (byte) id,
            (byte) (flags >>> 8),
            (byte) flags,
            0,
            (byte) qd,
            0,
            (byte) an,
            0,
            0,
            0,
            (byte) ar
        });
    }

    /** The name in wire format (as written, not case-folded). */
    public static byte[] encodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void question(ByteArrayOutputStream out, String name, int qtype) {
        out.writeBytes(encodeName(name));
        out.writeBytes(new byte[] {(byte) (qtype >>> 8), (byte) qtype, 0, 1});
    }
}

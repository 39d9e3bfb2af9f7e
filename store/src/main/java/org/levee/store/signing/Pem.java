package org.levee.store.signing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM (RFC 7468): one {@code -----BEGIN LABEL-----} block of base64 lines and its END line, as
 * openssl writes keys. Text outside the block (openssl's "explanatory text") is allowed; a second
 * block is not: one key per file.
 */
final class Pem {
    private Pem() {}

    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
    private static final Pattern END = Pattern.compile("-----END ([A-Z0-9 ]+)-----");

    /** A decoded block. */
    record Block(String label, byte[] der) {}

    /**
     * The one block in {@code text}.
     *
     * @throws KeyFileException naming {@code file} and the line that is wrong
     */
    static Block decode(String text, Path file) {
        String[] lines = text.split("\r?\n", -1);
        List<Block> blocks = new ArrayList<>();
        String label = null;
        int begin = 0;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            Matcher b = BEGIN.matcher(line);
            Matcher e = END.matcher(line);
            if (label == null) {
                if (b.matches()) {
                    label = b.group(1);
                    begin = i + 1;
                    body.setLength(0);
                }
            } else if (e.matches()) {
                if (!e.group(1).equals(label)) {
                    throw new KeyFileException(
                            file,
                            "line " + (i + 1) + ": '" + line + "' ends a block that line " + begin + " began as '"
                                    + label + "'");
                }
                try {
                    blocks.add(new Block(label, Base64.getDecoder().decode(body.toString())));
                } catch (IllegalArgumentException ex) {
                    throw new KeyFileException(
                            file, "lines " + (begin + 1) + ".." + i + " are not base64: " + ex.getMessage());
                }
                label = null;
            } else if (b.matches()) {
                throw new KeyFileException(
                        file, "line " + (i + 1) + ": a block begins before the one of line " + begin + " ends");
            } else if (!line.isEmpty() && !line.contains(":")) { // RFC 1421 headers (Proc-Type: …) mark encrypted keys
                body.append(line);
            } else if (line.contains(":")) {
                throw new KeyFileException(
                        file,
                        "line " + (i + 1) + ": '" + line + "': PEM headers (an encrypted key?) are not"
                                + " supported; give an unencrypted PKCS#8 key");
            }
        }
        if (label != null) {
            throw new KeyFileException(
                    file, "the '" + label + "' block of line " + begin + " has no -----END " + label + "----- line");
        }
        if (blocks.isEmpty()) {
            throw new KeyFileException(file, "is not a PEM file (no -----BEGIN …----- line)");
        }
        if (blocks.size() > 1) {
            throw new KeyFileException(file, "holds " + blocks.size() + " PEM blocks; give one key per file");
        }
        return blocks.getFirst();
    }

    /**
     * The text of {@code file}.
     *
     * @throws KeyFileException when it does not exist or cannot be read
     */
    static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KeyFileException(file, "does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new KeyFileException(file, "cannot be read: permission denied", e);
        } catch (java.io.IOException e) {
            throw new KeyFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** {@code der} as a PEM block with 64-character lines. */
    static String encode(String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    }
}

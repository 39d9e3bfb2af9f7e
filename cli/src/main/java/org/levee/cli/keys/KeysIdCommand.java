package org.levee.cli.keys;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.store.signing.KeyFileException;
import org.levee.store.signing.SigningKey;
import org.levee.store.signing.TrustedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code levee keys id FILE…}: the id of the key in each file, public or private — the id a
 * manifest's signature names, an edge's {@code signed_by} and {@code levee fleet status} show.
 */
@Command(
        name = "id",
        mixinStandardHelpOptions = true,
        description =
                "Print the key id of each key file, public (signing.pub) or private (signing.key): the first 8 bytes of"
                        + " the SHA-256 of the public key, as signatures, edges and levee fleet status name it.")
public final class KeysIdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Key files (PEM).")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Path file : files) {
            String kind;
            String id;
            try {
                if (isPrivate(file)) {
                    id = SigningKey.read(file).id().hex();
                    kind = "private";
                } else {
                    id = TrustedKey.read(file).id().hex();
                    kind = "public";
                }
            } catch (KeyFileException e) {
                throw new UserException(e.getMessage(), e);
            }
            out.println(id + "  " + file + " (" + kind + ")");
        }
        out.flush();
        return 0;
    }

    /** True when the file's PEM block is a private key (read as such, with its checks). */
    private static boolean isPrivate(Path file) {
        try {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("PRIVATE KEY-----");
        } catch (java.io.IOException e) {
            return false; // reading it as a public key says why it cannot be read
        }
    }
}

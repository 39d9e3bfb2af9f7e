package org.levee.cli.keys;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.store.signing.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee keys generate --out DIR}: a new signing key pair, {@code DIR/NAME.key} (the private
 * key, PKCS#8 PEM, mode 0600) and {@code DIR/NAME.pub} (the public key, X.509
 * SubjectPublicKeyInfo PEM), never over existing files; prints the key's id.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Write a new Ed25519 signing key pair: DIR/NAME.key (private, mode 0600: for the controllers' --signing-key)"
                        + " and DIR/NAME.pub (public: for the edges' --trust-key). Prints the key id. Never overwrites a file.")
public final class KeysGenerateCommand implements Callable<Integer> {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where to write the two files (made if missing).")
    Path out;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            defaultValue = "signing",
            description =
                    "The files' name: NAME.key and NAME.pub (default: ${DEFAULT-VALUE}). A second key for a rotation"
                            + " needs another name or directory.")
    String name;

    @Override
    public Integer call() {
        if (!name.matches(NAME)) {
            throw new UserException("--name: '" + name + "' is not a file name (" + NAME + ")");
        }
        Path privateFile = out.resolve(name + ".key");
        Path publicFile = out.resolve(name + ".pub");
        SigningKey key = SigningKey.generate();
        try {
            Files.createDirectories(out);
            key.write(privateFile, publicFile);
        } catch (FileAlreadyExistsException e) {
            throw new UserException(
                    e.getFile() + " exists: not overwritten (the edges that trust its key would refuse the"
                            + " rule sets of a new one); choose another --name or --out",
                    e);
        } catch (IOException e) {
            throw new UserException("cannot write the key pair into " + out + ": " + e, e);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println("key id " + key.id());
        o.println("private key " + privateFile
                + " (mode 0600): for the controllers (--signing-key, signing.key); keep it secret");
        o.println("public key  " + publicFile + ": for the edges (--trust-key, fleet.trusted_keys)");
        o.flush();
        return 0;
    }
}

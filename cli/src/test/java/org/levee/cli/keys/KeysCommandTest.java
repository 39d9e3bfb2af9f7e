package org.levee.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;

/**
 * {@code levee keys generate} and {@code levee keys id}: the two files and their modes, the id
 * printed for both files of a pair, a second key for a rotation beside the first, and never a
 * file overwritten.
 */
class KeysCommandTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesAPairWithItsIdAndNeverOverwrites() throws Exception {
        Path out = dir.resolve("keys");
        CliRun first = CliRun.of("keys", "generate", "--out", out.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        String id = first.out().lines().findFirst().orElseThrow();
        assertThat(id).matches("key id [0-9a-f]{16}");
        id = id.substring("key id ".length());
        assertThat(first.out())
                .contains("private key " + out.resolve("signing.key") + " (mode 0600)")
                .contains("public key  " + out.resolve("signing.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("signing.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(out.resolve("signing.pub"))).startsWith("-----BEGIN PUBLIC KEY-----\n");

        CliRun ids = CliRun.of(
                "keys",
                "id",
                out.resolve("signing.key").toString(),
                out.resolve("signing.pub").toString());
        assertThat(ids.exitCode()).as(ids.err()).isZero();
        assertThat(ids.out())
                .isEqualTo(id + "  " + out.resolve("signing.key") + " (private)\n" + id + "  "
                        + out.resolve("signing.pub") + " (public)\n");

        // The pair exists: a second generate into the same place refuses and leaves it alone.
        byte[] before = Files.readAllBytes(out.resolve("signing.key"));
        CliRun again = CliRun.of("keys", "generate", "--out", out.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err())
                .isEqualTo(
                        "levee keys generate: " + out.resolve("signing.key") + " exists: not overwritten (the"
                                + " edges that trust its key would refuse the rule sets of a new one); choose another --name or --out\n");
        assertThat(Files.readAllBytes(out.resolve("signing.key"))).isEqualTo(before);

        // A rotation's second key beside the first: another name, another id.
        CliRun next = CliRun.of("keys", "generate", "--out", out.toString(), "--name", "signing-2027");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.out())
                .doesNotContain(id)
                .contains(out.resolve("signing-2027.key").toString());

        CliRun badName = CliRun.of("keys", "generate", "--out", out.toString(), "--name", "../x");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).startsWith("levee keys generate: --name: '../x' is not a file name");
        CliRun missing = CliRun.of("keys", "id", dir.resolve("nope.pub").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("levee keys id: " + dir.resolve("nope.pub") + ": ");
    }
}

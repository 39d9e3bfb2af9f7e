package org.levee.cli.keys;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee keys}: the keys that sign the fleet's rule sets. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description =
                "The Ed25519 keys that sign the fleet's rule sets: the controllers sign with the private key, the edges"
                        + " trust the public one. See docs/security.md, \"Signed rule sets\".",
        subcommands = {KeysGenerateCommand.class, KeysIdCommand.class, CommandLine.HelpCommand.class})
public final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

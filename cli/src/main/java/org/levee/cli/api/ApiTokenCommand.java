package org.levee.cli.api;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code levee api token …}. */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "The API's bearer token: writes (POST, DELETE) need it, and every request off loopback.",
        subcommands = ApiTokenRotateCommand.class)
final class ApiTokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

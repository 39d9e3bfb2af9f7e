package org.levee.cli.api;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.levee.agent.config.AgentConfig;
import org.levee.cli.common.UserException;
import org.levee.config.ApiToken;
import org.levee.config.ConfigException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee api token rotate}: a new token replaces the old one in the token file, atomically;
 * the running agent or controller that reads that file refuses the old token from its next
 * request on. Prints where, not what, unless {@code --print}.
 */
@Command(
        name = "rotate",
        mixinStandardHelpOptions = true,
        description =
                "Replace the API's bearer token with a new one (256 random bits, file mode 0600). A running agent or"
                        + " controller uses the new token from its next request; the old one is refused. Prints the token only"
                        + " with --print.")
final class ApiTokenRotateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Where {
        @Option(
                names = "--state-dir",
                paramLabel = "DIR",
                description = "The state directory whose api-token to replace"
                        + " (default /var/lib/levee; a controller's: /var/lib/levee-controller).")
        Path stateDir;

        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                description = "The token file to replace, when the server's"
                        + " configuration names one (api.token_file, --api-token-file).")
        Path tokenFile;
    }

    @ArgGroup(exclusive = true)
    Where where;

    @Option(names = "--print", description = "Print the new token on stdout (it is a secret).")
    boolean print;

    @Override
    public Integer call() {
        Path file = where != null && where.tokenFile != null
                ? where.tokenFile
                : (where != null && where.stateDir != null ? where.stateDir : AgentConfig.DEFAULT_STATE_DIR)
                        .resolve(ApiToken.FILE_NAME);
        String token;
        try {
            token = ApiToken.rotate(file);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (print) {
            out.println(token);
        } else {
            out.println("levee: a new API token is in " + file
                    + " (mode 0600); the server that reads it refuses the old" + " one from its next request");
        }
        out.flush();
        return 0;
    }
}

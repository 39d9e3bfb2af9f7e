package org.levee.cli.rules;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every {@code levee rules} command shares. */
final class ApiOptions {
    @Option(
            names = "--api",
            paramLabel = "URL",
            defaultValue = AgentClient.DEFAULT_API,
            description = "The node's (or a controller's) API, http:// or https:// (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "The file of the API's bearer token. Without it: the"
                    + " token in $" + ApiCredentials.ENV
                    + "; else, for an API on this machine, /var/lib/levee/api-token"
                    + " (/var/lib/levee-controller/api-token for port 9277). Writes need it.")
    Path tokenFile;

    @Option(
            names = "--ca",
            paramLabel = "FILE",
            description = "Trust this CA (PEM) for an https:// API with a private CA.")
    Path ca;

    @Option(names = "--json", description = "Print the agent's JSON instead of text.")
    boolean json;

    AgentClient client() {
        return new AgentClient(api, tokenFile, System.getenv(ApiCredentials.ENV), ca);
    }
}

package org.levee.cli.rules;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every {@code levee rules} command shares. */
final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL", defaultValue = AgentClient.DEFAULT_API,
            description = "The node's (or a controller's) API, http:// or https:// (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The API's bearer token (default: $"
            + ApiCredentials.ENV + ", else for a loopback URL /var/lib/levee/api-token, or /var/lib/levee-controller/api-token"
            + " for port 9277).")
    Path tokenFile;

    @Option(names = "--ca", paramLabel = "FILE", description = "Trust this CA (PEM) for an https:// API with a private CA.")
    Path ca;

    @Option(names = "--json", description = "Print the agent's JSON instead of text.")
    boolean json;

    AgentClient client() {
        return new AgentClient(api, tokenFile, System.getenv(ApiCredentials.ENV), ca);
    }
}

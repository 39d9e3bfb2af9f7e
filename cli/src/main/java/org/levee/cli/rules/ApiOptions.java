package org.levee.cli.rules;

import picocli.CommandLine.Option;

/** The options every {@code levee rules} command shares. */
final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL", defaultValue = AgentClient.DEFAULT_API,
            description = "The node's API (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--json", description = "Print the agent's JSON instead of text.")
    boolean json;

    AgentClient client() {
        return new AgentClient(api);
    }
}

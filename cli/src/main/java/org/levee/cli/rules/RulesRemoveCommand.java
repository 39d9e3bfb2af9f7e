package org.levee.cli.rules;

import java.util.concurrent.Callable;
import org.levee.agent.rules.AgentJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code levee rules rm ID}. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a rule from the running node.")
final class RulesRemoveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Parameters(paramLabel = "ID", description = "The rule's id.")
    String id;

    @Override
    public Integer call() throws Exception {
        var answer = options.client().delete(AgentClient.rulePath(id));
        if (options.json) {
            spec.commandLine().getOut().println(AgentJson.MAPPER.writeValueAsString(answer));
        } else {
            spec.commandLine().getOut().println("removed " + id);
        }
        return 0;
    }
}

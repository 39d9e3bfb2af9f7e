package org.levee.cli.dataplane;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.dataplane.object.RuleInfo;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.object.RuleSetObjectException;
import org.levee.rules.Action;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code levee ruleset inspect RULES.o [--datacenter DC]}. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "List the rules of a compiled object and which would be enabled in a data center.")
public final class RulesetInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OBJECT", description = "an object made by 'levee ruleset compile'")
    Path object;

    @Option(
            names = "--datacenter",
            paramLabel = "DC",
            description = "the data center to specialise for (default: none)")
    String datacenter;

    @Override
    public Integer call() {
        RuleSetObject loaded = read(object);
        Map<String, Long> constants = loaded.constants(datacenter, Instant.now());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "version %s, %d rules, %d program%s, %d sample bytes; data center %s%n",
                loaded.version(),
                loaded.rules().size(),
                loaded.program().programs().size(),
                loaded.program().programs().size() == 1 ? "" : "s",
                loaded.sampleBytes(),
                datacenter == null ? "(none)" : datacenter);
        int width = loaded.rules().stream().mapToInt(r -> r.id().length()).max().orElse(2);
        for (RuleInfo rule : loaded.rules()) {
            boolean enabled = constants.get(rule.enabledSymbol()) == 1L;
            String action = rule.action() instanceof Action.RateLimit r
                    ? "ratelimit " + r.pps() + "pps burst " + r.burst()
                    : rule.action().keyword();
            out.printf(
                    "%-" + width + "s  %-8s  %-24s  %s%s%s%n",
                    rule.id(),
                    enabled ? "enabled" : "disabled",
                    action,
                    rule.match(),
                    rule.datacenters().isEmpty() ? "" : "  datacenters " + String.join(",", rule.datacenters()),
                    rule.expires().map(e -> "  expires " + e).orElse(""));
        }
        return 0;
    }

    static RuleSetObject read(Path path) {
        try {
            return RuleSetObject.fromElf(path.toString(), Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UserException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuleSetObjectException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}

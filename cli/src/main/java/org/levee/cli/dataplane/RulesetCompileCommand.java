package org.levee.cli.dataplane;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.RuleSetException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code levee ruleset compile RULES.yaml -o RULES.o}. */
@Command(
        name = "compile",
        mixinStandardHelpOptions = true,
        description = "Validate a rule set and compile it once, for every data center, into an ELF eBPF object.")
public final class RulesetCompileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RULES", description = "the rule set (YAML or JSON)")
    Path rules;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "OBJECT",
            description = "the object to write")
    Path output;

    @Option(
            names = "--sample-bytes",
            paramLabel = "N",
            description = "packet bytes copied into each sample (1..256, default 128)")
    int sampleBytes = ProgramLimits.DEFAULT_SAMPLE_BYTES;

    @Override
    public Integer call() {
        if (sampleBytes < 1 || sampleBytes > ProgramLimits.MAX_SAMPLE_BYTES) {
            throw new UserException(
                    "--sample-bytes " + sampleBytes + " is outside 1.." + ProgramLimits.MAX_SAMPLE_BYTES);
        }
        if (!Files.isRegularFile(rules)) {
            throw new UserException("rule set " + rules + " does not exist or is not a file");
        }
        RuleSetObject object;
        try {
            RuleSet set = RuleCodec.parse(rules);
            List<RuleFilter> filters = new RuleFilters().compile(rules.toString(), set);
            object = RuleSetObject.compile(
                    set, filters, new ProgramBuilder(sampleBytes, ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM));
        } catch (RuleSetException | IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
        try {
            Files.write(output, object.toElf());
        } catch (IOException e) {
            throw new UserException("cannot write " + output + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%s: %d rules, version %s, %d program%s -> %s%n",
                rules,
                object.rules().size(),
                object.version(),
                object.program().programs().size(),
                object.program().programs().size() == 1 ? "" : "s",
                output);
        return 0;
    }
}

package org.levee.cli;

import org.levee.cli.api.ApiCommand;
import org.levee.cli.capture.CaptureCommand;
import org.levee.cli.dataplane.BenchCommand;
import org.levee.cli.dataplane.DataplaneCommand;
import org.levee.cli.dataplane.RulesetCommand;
import org.levee.cli.fleet.ControllerCommand;
import org.levee.cli.fleet.FleetCommand;
import org.levee.cli.keys.KeysCommand;
import org.levee.cli.rules.RulesCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code levee}: one picocli command with a subcommand per job. */
@Command(
        name = "levee",
        mixinStandardHelpOptions = true,
        versionProvider = LeveeVersion.class,
        description = "DDoS mitigation for Linux servers: samples, detects and drops floods in XDP.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            RulesCommand.class,
            ApiCommand.class,
            ControllerCommand.class,
            FleetCommand.class,
            KeysCommand.class,
            CaptureCommand.class,
            FilterCommand.class,
            RulesetCommand.class,
            DataplaneCommand.class,
            BenchCommand.class,
            LabCommand.class,
            SoakCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        logAsLevee();
        System.exit(commandLine().execute(args));
    }

    /**
     * Log records (the agent's: expired rules, refused rule changes) go to stderr as one line,
     * {@code levee: <message>}, unless the user configured another format. Both JDK back ends of
     * System.Logger are covered: java.util.logging when its module is there, else the JDK's own.
     */
    static void logAsLevee() {
        for (String property : new String[] {"java.util.logging.SimpleFormatter.format", "jdk.system.logger.format"}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "levee: %5$s%6$s%n");
            }
        }
    }

    /** The configured command line; tests execute it in-process. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler(new UserErrorHandler());
        return cmd;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

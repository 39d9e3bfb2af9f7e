package org.levee.cli;

import org.levee.cli.common.UserException;
import picocli.CommandLine;

/**
 * Turns exceptions that describe bad input or a missing precondition into one clear line on
 * stderr and exit code 2; anything else is a bug and keeps its stack trace.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {

    /** Exit code for bad input (the same code picocli uses for bad options). */
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof UserException) {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            return USAGE;
        }
        throw new RuntimeException(e);
    }
}

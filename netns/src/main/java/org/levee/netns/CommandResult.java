package org.levee.netns;

import java.util.List;

/** A finished command: what ran, its exit code and its combined stdout and stderr. */
public record CommandResult(List<String> command, int exitCode, String output) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}

package org.levee.lab;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs {@code levee ARGS} as a process of its own with the classes of this
 * JVM: on the module path when this JVM runs on it (the launcher), else on the class path (tests),
 * with the same native-access grant. Child processes get a small heap and the serial collector:
 * the fleet demo runs half a dozen of them on two CPUs.
 */
public final class LeveeCommand {
    private LeveeCommand() {}

    public static List<String> of(List<String> arguments) {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(
                List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        String nativeAccess = "--enable-native-access=ALL-UNNAMED";
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("--enable-native-access=")) {
                nativeAccess = argument;
            }
        }
        String levee = System.getProperty("levee.home");
        if (levee != null) {
            command.add("-Dlevee.home=" + levee);
        }
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            command.addAll(
                    List.of(nativeAccess, "--module-path", modulePath, "-m", "org.levee.cli/org.levee.cli.Main"));
        } else {
            command.addAll(List.of(nativeAccess, "-cp", System.getProperty("java.class.path"), "org.levee.cli.Main"));
        }
        command.addAll(arguments);
        return command;
    }
}

package org.levee.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** {@code levee --version}: the project version stamped into the jar at build time. */
final class LeveeVersion implements CommandLine.IVersionProvider {

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = LeveeVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "levee " + version(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            "Linux " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        };
    }
}

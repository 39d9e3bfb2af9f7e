package org.levee.lab.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes {@code report.json} and {@code report.html} into a directory, each atomically. */
public final class ReportFiles {
    public static final String JSON = "report.json";
    public static final String HTML = "report.html";

    private ReportFiles() {}

    public static void write(Path directory, DemoReport report) throws IOException {
        Files.createDirectories(directory);
        replace(directory.resolve(JSON), ReportJson.write(report));
        replace(directory.resolve(HTML), ReportHtml.write(report));
    }

    private static void replace(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package org.levee.rules.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seed corpora kept as files under {@code src/test/resources/org/levee/rules/fuzz/}, so that a new
 * field gets a seed by adding or editing a file: every file of a directory (sorted by name), or
 * the lines of a file (one input a line, {@code #} comments and blank lines left out). Shared
 * through the test-jar with the modules that serve the same inputs (the APIs' bodies).
 */
public final class Seeds {
    private Seeds() {}

    /** The texts of the files of resource directory {@code directory} whose names end in {@code suffix}. */
    public static List<String> files(String directory, String suffix) {
        URL url = Seeds.class.getResource(directory);
        if (url == null) {
            throw new IllegalStateException("no seed directory " + directory + " on the class path");
        }
        try (Stream<Path> paths = Files.list(Path.of(url.toURI()))) {
            List<String> texts = new ArrayList<>();
            for (Path p : paths.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList()) {
                texts.add(Files.readString(p));
            }
            if (texts.isEmpty()) {
                throw new IllegalStateException("no *" + suffix + " seed in " + directory);
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The lines of resource {@code file} that are neither blank nor comments. */
    public static List<String> lines(String file) {
        try (InputStream in = Seeds.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("no seed file " + file + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

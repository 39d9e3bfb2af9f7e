package org.levee.testing.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed corpora kept as resource files next to a family's test, so that a new key or field gets a
 * seed by adding or editing a file: their texts, by name, from the class path (a directory or a jar).
 */
public final class SeedFiles {
    private SeedFiles() {}

    /** The UTF-8 texts of the resources {@code names}, relative to {@code anchor}'s package or absolute. */
    public static List<String> texts(Class<?> anchor, String... names) {
        List<String> texts = new ArrayList<>();
        for (String name : names) {
            try (InputStream in = anchor.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("no seed file " + name + " next to " + anchor.getName());
                }
                texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return texts;
    }
}

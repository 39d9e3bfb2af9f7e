package org.levee.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.levee.rules.Durations;
import org.levee.rules.YamlTrees;

/**
 * Reads typed values out of a configuration file's YAML tree and collects every problem, each
 * named by its key path ({@code detector.host_thresholds.udp.pps: must be a whole number …}),
 * unknown keys included, so a typo never falls back to a default silently and one run reports
 * everything to fix. A read that finds a problem records it and returns the default; the caller
 * checks {@link #problems()} at the end (or calls {@link #throwIfProblems}).
 */
public class ConfigReader {
    private final List<String> problems = new ArrayList<>();

    /** A reader with no problems yet: one per file read. */
    public ConfigReader() {}

    /** The text of the file at {@code path}. */
    public static String readFile(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), List.of("cannot read the file: " + e));
        }
    }

    /**
     * The YAML tree of {@code text} ({@code source} names it in errors); null for an empty file.
     *
     * @throws ConfigException saying where (line and column) the YAML is broken, holds an alias
     *     or a key given twice
     */
    public static JsonNode parseYaml(String source, String text) {
        try {
            return YamlTrees.readYaml(text); // refuses aliases, keys given twice and second documents
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ConfigException(source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
    }

    /** Every problem so far, in the order found. */
    public List<String> problems() {
        return problems;
    }

    /** @throws ConfigException listing every problem, if there is any */
    public void throwIfProblems(String source) {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }

    /** Records that the value at {@code path} is wrong. */
    public void problem(String path, String what) {
        problems.add(path + ": " + what);
    }

    /** True when {@code node} is a mapping; reports keys not in {@code allowed}. */
    public boolean mapping(JsonNode node, String path, Set<String> allowed) {
        if (!node.isObject()) {
            problem(path.isEmpty() ? "(top level)" : path, "must be a mapping of keys");
            return false;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                problem(
                        path.isEmpty() ? YamlTrees.keyName(key) : path + "." + YamlTrees.keyName(key),
                        "unknown key (known here: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
        return true;
    }

    /** The file named at {@code key} (named {@code path}), or empty; a name that is no path (a NUL in it) is a problem. */
    public Optional<Path> file(JsonNode node, String path, String key) {
        return Optional.ofNullable(parsed(node, path, key, null, ConfigReader::filePath));
    }

    private static Path filePath(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("must be a non-empty file name");
        }
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + name + "' is not a file name: " + e.getReason()
                    + (e.getIndex() < 0 ? "" : " at character " + e.getIndex()));
        }
    }

    /** A non-empty string at top-level key {@code key}, or {@code d}. */
    public String string(JsonNode node, String key, String d) {
        return string(node, key, key, d);
    }

    /** A non-empty string at {@code key} of {@code node} (named {@code path}), or {@code d}. */
    public String string(JsonNode node, String path, String key, String d) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isValueNode() || v.asText().isBlank()) {
            problem(path, "must be a non-empty string");
            return d;
        }
        return v.asText();
    }

    /** A whole number in {@code min..max}, or null when absent or wrong. */
    public Long number(JsonNode node, String path, String key, long min, long max) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            problem(path, "must be a whole number in " + min + ".." + max + ", not '" + v.asText() + "'");
            return null;
        }
        return v.asLong();
    }

    /** A number in {@code min..max}, or {@code d}. */
    public double decimal(JsonNode node, String path, String key, double d, double min, double max) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            problem(path, "must be a number in " + min + ".." + max + ", not '" + v.asText() + "'");
            return d;
        }
        return v.asDouble();
    }

    /** true or false, or {@code d}. */
    public boolean bool(JsonNode node, String path, String key, boolean d) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isBoolean()) {
            problem(path, "must be true or false, not '" + v.asText() + "'");
            return d;
        }
        return v.asBoolean();
    }

    /** A duration ({@link Durations}: {@code 500ms}, {@code 90s}, {@code 1h30m}), or {@code d}. */
    public Duration duration(JsonNode node, String path, String key, Duration d) {
        return parsed(node, path, key, d, Durations::parse);
    }

    /** The value at {@code key} turned into a T by {@code parser}, whose IllegalArgumentException becomes the problem. */
    public <T> T parsed(JsonNode node, String path, String key, T d, Function<String, T> parser) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isValueNode()) {
            problem(path, "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
            return d;
        }
        try {
            return parser.apply(v.asText());
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage());
            return d;
        }
    }
}

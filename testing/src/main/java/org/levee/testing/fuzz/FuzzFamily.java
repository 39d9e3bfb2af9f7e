package org.levee.testing.fuzz;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One parser family: a name, a seed corpus of valid inputs, what to do with an input (the
 * {@link FuzzTarget}: parse, then check what must hold for accepted inputs), and the error type(s)
 * the parser documents for bad input with what their messages promise. Built with
 * {@link #bytes} or {@link #text}:
 *
 * <pre>{@code
 * FuzzFamily<byte[]> pcap = FuzzFamily.bytes("pcap and pcapng files")
 *         .seeds(files)
 *         .target(PcapFiles::read)
 *         .rejects(PcapFormatException.class, "^at byte offset \\d+: \\S")
 *         .build();
 * }</pre>
 *
 * @param name        the family's name in reports and file names
 * @param kind        the input type's sizes, ranges and printing
 * @param seeds       valid inputs, every one of which the target must accept
 * @param target      what runs on each input
 * @param errors      the documented errors; at least one
 * @param mutator     how seeds become inputs
 * @param timeLimit   more than this on one input is a crash (default 1 s)
 * @param nativeCode  the target calls native code, so a crash may kill the JVM: the runner then
 *                    writes each input to {@code target/fuzz/<name>/last-input} before running it
 * @param <I>         the input type
 */
public record FuzzFamily<I>(
        String name,
        InputKind<I> kind,
        List<I> seeds,
        FuzzTarget<I> target,
        List<DocumentedError> errors,
        Mutator<I> mutator,
        Duration timeLimit,
        boolean nativeCode) {
    /** The limit: more than a second on one input is a crash. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(1);

    public FuzzFamily {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mutator, "mutator");
        Objects.requireNonNull(timeLimit, "timeLimit");
        seeds = List.copyOf(seeds);
        errors = List.copyOf(errors);
        if (name.isBlank()) {
            throw new IllegalArgumentException("a family needs a name");
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(name + ": the seed corpus is empty");
        }
        if (errors.isEmpty()) {
            throw new IllegalArgumentException(name + ": no documented error type");
        }
    }

    /** A family of binary inputs, mutated by a {@link ByteMutator} unless told otherwise. */
    public static Builder<byte[]> bytes(String name) {
        return new Builder<>(name, InputKind.BYTES);
    }

    /** A family of text inputs, mutated by a {@link TextMutator} unless told otherwise. */
    public static Builder<String> text(String name) {
        return new Builder<>(name, InputKind.TEXT);
    }

    /** The documented error {@code error} is one of, or null when it is none of them. */
    public DocumentedError documented(Throwable error) {
        for (DocumentedError documented : errors) {
            if (documented.covers(error)) {
                return documented;
            }
        }
        return null;
    }

    /**
     * Runs one input and judges it as {@link FuzzRunner} does, for other drivers of the same family
     * (a coverage-guided fuzzer, a regression test): returns when the input is accepted or
     * rejected with a documented error that keeps its promise; otherwise throws what the target
     * threw (an undocumented error) or an {@link AssertionError} saying how the message breaks
     * the promise. Time and memory are not judged here.
     */
    public void runOne(I input) throws Throwable {
        try {
            target.run(input);
        } catch (Throwable thrown) {
            DocumentedError documented = documented(thrown);
            if (documented == null) {
                throw thrown;
            }
            String problem = documented.problemWith(thrown);
            if (problem != null) {
                throw new AssertionError(name + ": " + problem + ": " + thrown, thrown);
            }
        }
    }

    /** A file-name-friendly form of the name. */
    public String slug() {
        return name.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-|-$", "");
    }

    public static final class Builder<I> {
        private final String name;
        private final InputKind<I> kind;
        private final List<I> seeds = new ArrayList<>();
        private final List<DocumentedError> errors = new ArrayList<>();
        private final List<String> dictionary = new ArrayList<>();
        private FuzzTarget<I> target;
        private Mutator<I> mutator;
        private Integer maxLength;
        private Duration timeLimit = DEFAULT_TIME_LIMIT;
        private boolean nativeCode;

        private Builder(String name, InputKind<I> kind) {
            this.name = name;
            this.kind = kind;
        }

        public Builder<I> seeds(List<I> valid) {
            seeds.addAll(valid);
            return this;
        }

        @SafeVarargs
        @SuppressWarnings("varargs") // the array is only read, by List.of
        public final Builder<I> seeds(I... valid) {
            return seeds(List.of(valid));
        }

        public Builder<I> target(FuzzTarget<I> run) {
            this.target = run;
            return this;
        }

        /** A documented error: {@code type}, with a message in which {@code messageRegex} is found. */
        public Builder<I> rejects(Class<? extends Throwable> type, String messageRegex) {
            errors.add(DocumentedError.of(type, messageRegex));
            return this;
        }

        /** Words the {@link TextMutator} inserts and swaps in: keywords, operators, field names. */
        public Builder<I> dictionary(List<String> words) {
            dictionary.addAll(words);
            return this;
        }

        public Builder<I> dictionary(String... words) {
            return dictionary(List.of(words));
        }

        /** The cap on a mutated input's length (bytes or characters). */
        public Builder<I> maxLength(int max) {
            this.maxLength = max;
            return this;
        }

        /** Replaces the default mutator (e.g. with one that knows the format's structure). */
        public Builder<I> mutator(Mutator<I> custom) {
            this.mutator = custom;
            return this;
        }

        public Builder<I> timeLimit(Duration limit) {
            this.timeLimit = limit;
            return this;
        }

        /** The target calls native code: see {@link FuzzFamily#nativeCode()}. */
        public Builder<I> nativeCode() {
            this.nativeCode = true;
            return this;
        }

        @SuppressWarnings("unchecked")
        public FuzzFamily<I> build() {
            Mutator<I> chosen = mutator;
            if (chosen == null) {
                chosen = kind == InputKind.BYTES
                        ? (Mutator<I>) new ByteMutator(maxLength == null ? ByteMutator.DEFAULT_MAX_LENGTH : maxLength)
                        : (Mutator<I>) new TextMutator(
                                dictionary, maxLength == null ? TextMutator.DEFAULT_MAX_LENGTH : maxLength);
            }
            return new FuzzFamily<>(name, kind, seeds, target, errors, chosen, timeLimit, nativeCode);
        }
    }
}

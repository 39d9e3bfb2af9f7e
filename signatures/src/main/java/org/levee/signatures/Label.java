package org.levee.signatures;

/**
 * A position in a program being assembled by {@link FilterAssembler}: jumps name labels, and a
 * label is bound to the instruction that follows it. Identity is the label: two labels with the
 * same name are different labels (the name only helps reading assembler errors).
 */
final class Label {
    private final String name;

    Label(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}

/** Levee's rules module: see DESIGN.md's module table for what it owns. */
module org.levee.rules {
    requires transitive org.levee.cbpf;
    requires org.levee.signatures;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports org.levee.rules;
}

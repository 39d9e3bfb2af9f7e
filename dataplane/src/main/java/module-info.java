/** Levee's dataplane module: see DESIGN.md's module table for what it owns. */
module org.levee.dataplane {
    requires transitive org.levee.ebpf;
    requires transitive org.levee.compiler;
    requires transitive org.levee.rules;
    requires com.fasterxml.jackson.databind;

    exports org.levee.dataplane;
    exports org.levee.dataplane.program;
    exports org.levee.dataplane.object;
}

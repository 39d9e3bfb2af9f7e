/** Levee's dataplane module: see DESIGN.md's module table for what it owns. */
module org.levee.dataplane {
    requires transitive org.levee.ebpf;
    requires transitive org.levee.compiler;
    // Exports are added as the module gains packages.
}

/** Levee's compiler module: see DESIGN.md's module table for what it owns. */
module org.levee.compiler {
    requires transitive org.levee.ebpf;
    requires transitive org.levee.cbpf;
    // Exports are added as the module gains packages.
}

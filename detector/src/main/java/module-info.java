/** Levee's detector module: see DESIGN.md's module table for what it owns. */
module org.levee.detector {
    requires transitive org.levee.cbpf;
    requires transitive org.levee.signatures;
    // Exports are added as the module gains packages.
}

/** Levee's signatures module: see DESIGN.md's module table for what it owns. */
module org.levee.signatures {
    requires transitive org.levee.cbpf;
    // Exports are added as the module gains packages.
}

/** Levee's agent module: see DESIGN.md's module table for what it owns. */
module org.levee.agent {
    requires transitive org.levee.dataplane;
    requires transitive org.levee.capture;
    requires transitive org.levee.detector;
    // Exports are added as the module gains packages.
}

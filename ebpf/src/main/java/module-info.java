/** Levee's ebpf module: see DESIGN.md's module table for what it owns. */
module org.levee.ebpf {
    // Exports are added as the module gains packages.
}

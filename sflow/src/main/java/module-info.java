/** Levee's sflow module: see DESIGN.md's module table for what it owns. */
module org.levee.sflow {
    exports org.levee.sflow;
}

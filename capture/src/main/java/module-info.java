/** Levee's capture module: see DESIGN.md's module table for what it owns. */
module org.levee.capture {
    requires transitive org.levee.dataplane;
    requires transitive org.levee.compiler;

    exports org.levee.capture;
    exports org.levee.capture.pcapng;
}

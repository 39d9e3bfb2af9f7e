/** Levee's cbpf module: see DESIGN.md's module table for what it owns. */
module org.levee.cbpf {
    exports org.levee.cbpf;
    exports org.levee.cbpf.pcap;
    exports org.levee.cbpf.kernel;
    exports org.levee.cbpf.corpus;
}

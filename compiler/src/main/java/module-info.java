/** Levee's compiler: cBPF to eBPF fragments (and to C), with bounds-check elimination. */
module org.levee.compiler {
    requires transitive org.levee.ebpf;
    requires transitive org.levee.cbpf;

    exports org.levee.compiler;
    exports org.levee.compiler.flow;
}

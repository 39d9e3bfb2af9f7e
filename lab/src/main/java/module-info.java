/** Levee's lab: namespaces, flood generators, legitimate clients, the demo and its report. */
module org.levee.lab {
    requires transitive org.levee.agent;
    requires transitive org.levee.netns;
    requires org.levee.ebpf;
    requires java.management;

    exports org.levee.lab;
    exports org.levee.lab.demo;
    exports org.levee.lab.fleet;
    exports org.levee.lab.soak;
}

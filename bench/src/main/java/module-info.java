/** Levee's benchmarks, run by {@code levee bench …}. */
module org.levee.bench {
    requires org.levee.dataplane;
    requires org.levee.rules;
    requires transitive org.levee.lab;
    requires org.levee.netns;
    requires org.levee.ebpf;
    requires org.levee.controller;
    requires java.net.http;
    requires org.levee.store;
    requires java.management;

    exports org.levee.bench;
}

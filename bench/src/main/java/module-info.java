/** Levee's benchmarks, run by {@code levee bench …}. */
module org.levee.bench {
    requires org.levee.dataplane;
    requires org.levee.rules;
    requires transitive org.levee.lab;
    requires org.levee.netns;
    requires org.levee.ebpf;
    requires org.levee.cbpf;
    requires org.levee.compiler;
    requires org.levee.detector;
    requires org.levee.sflow;
    requires org.levee.controller;
    requires java.net.http;
    requires org.levee.store;
    requires java.management;
    requires jmh.core;

    exports org.levee.bench;
    // JMH's runner instantiates the harness its annotation processor generated here, by reflection.
    opens org.levee.bench.jmh_generated to
            jmh.core;
}

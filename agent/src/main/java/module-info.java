/**
 * Levee's agent module: the long-running node (data plane, detector, rule store, HTTP API, metrics,
 * upstream announcements),
 * alone or as an edge of the fleet (sFlow export, the rule set from etcd, local rules).
 */
module org.levee.agent {
    requires transitive org.levee.dataplane;
    requires transitive org.levee.detector;
    requires transitive org.levee.store;
    requires transitive org.levee.sflow;
    requires transitive org.levee.config;
    requires org.levee.web;
    requires transitive org.levee.upstream;
    requires transitive com.fasterxml.jackson.databind;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    requires jdk.httpserver;

    exports org.levee.agent;
    exports org.levee.agent.api;
    exports org.levee.agent.config;
    exports org.levee.agent.detect;
    exports org.levee.agent.fleet;
    exports org.levee.agent.metrics;
    exports org.levee.agent.rules;
}

/** Levee's controller module: the fleet's Gatebot (see docs/fleet.md, "Controller"). */
module org.levee.controller {
    requires transitive org.levee.rules;
    requires transitive org.levee.detector;
    requires transitive org.levee.dataplane;
    requires transitive org.levee.store;
    requires transitive org.levee.sflow;
    requires transitive org.levee.config;
    requires transitive org.levee.web;
    requires transitive org.levee.upstream;
    requires transitive com.fasterxml.jackson.databind;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    requires jdk.httpserver;

    exports org.levee.controller;
    exports org.levee.controller.api;
    exports org.levee.controller.config;
    exports org.levee.controller.detect;
    exports org.levee.controller.fleet;
    exports org.levee.controller.ingest;
    exports org.levee.controller.metrics;
    exports org.levee.controller.rules;
}

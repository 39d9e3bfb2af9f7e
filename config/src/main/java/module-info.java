/** Levee's config module: the pieces of YAML configuration the agent and the controller share. */
module org.levee.config {
    requires transitive org.levee.detector;
    requires transitive org.levee.store;
    requires transitive org.levee.notify;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports org.levee.config;
}

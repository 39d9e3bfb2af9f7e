/**
 * Levee's config module: the pieces of YAML configuration the agent and the controller share, and
 * what their {@code api:} section sets up (the token file, TLS from PEM, who may write), and what
 * their JSON APIs do alike ({@code JsonApi}: the gate, errors, bodies, rule ids in paths).
 */
module org.levee.config {
    requires transitive org.levee.detector;
    requires transitive org.levee.store;
    requires transitive org.levee.notify;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive jdk.httpserver;

    exports org.levee.config;
}

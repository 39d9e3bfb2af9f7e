/**
 * Levee's web module: the read-only live page of the agent and the controller ({@code GET /}) and
 * the traffic history behind its chart ({@code GET /traffic}). Depends on nothing of Levee: the
 * servers hand it their counters.
 */
module org.levee.web {
    requires transitive jdk.httpserver;

    exports org.levee.web;
}

/**
 * Levee's notify module: what happened (an attack detected, a rule added or retired, an attack
 * ended; in the fleet an edge lost, a rule set refused) as one JSON document, run through a
 * command and POSTed to webhooks without ever blocking the thread that reports it.
 */
module org.levee.notify {
    requires transitive org.levee.rules;
    requires transitive com.fasterxml.jackson.databind;
    requires java.net.http;

    exports org.levee.notify;
}

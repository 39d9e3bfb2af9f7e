/**
 * Levee's upstream module: rules turned into BGP FlowSpec (RFC 8955, RFC 8956) and remotely
 * triggered blackhole (RFC 7999) routes, and an announcer that keeps a GoBGP speaker's routes equal
 * to the desired set.
 */
module org.levee.upstream {
    requires transitive org.levee.rules;
    requires com.fasterxml.jackson.databind;

    exports org.levee.upstream;
    exports org.levee.upstream.gobgp;
}

/** Throw-away network labs: namespaces and veth pairs made with iproute2 (JDK only). */
module org.levee.netns {
    exports org.levee.netns;
}

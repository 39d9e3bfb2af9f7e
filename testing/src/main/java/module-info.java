/** The test kit shared by every module's tests. */
module org.levee.testing {
    requires transitive org.junit.jupiter.api;

    exports org.levee.testing;
    exports org.levee.testing.fuzz;
}

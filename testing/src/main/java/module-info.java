/** The test kit shared by every module's tests. */
module org.levee.testing {
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports org.levee.testing;
    exports org.levee.testing.fuzz;
}

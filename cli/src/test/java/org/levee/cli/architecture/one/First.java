package org.levee.cli.architecture.one;

import org.levee.cli.architecture.two.Second;

/** Half of a cycle between two packages, for the test that finds cycles. */
public final class First {
    public Second next() {
        return new Second();
    }
}

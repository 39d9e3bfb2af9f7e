package org.levee.cli.architecture.two;

import org.levee.cli.architecture.one.First;

/** The other half of the cycle. */
public final class Second {
    public First next() {
        return new First();
    }
}

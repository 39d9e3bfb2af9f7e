package org.levee.upstream;

import java.util.List;

/**
 * What one synchronisation changed.
 *
 * @param announced routes announced (missing, or with another action)
 * @param withdrawn routes withdrawn (no longer desired, or left over from an earlier run)
 * @param kept      routes already announced as desired
 */
public record SyncReport(List<Route> announced, List<Route> withdrawn, int kept) {
    public SyncReport {
        announced = List.copyOf(announced);
        withdrawn = List.copyOf(withdrawn);
    }

    public boolean changed() {
        return !announced.isEmpty() || !withdrawn.isEmpty();
    }
}

package org.levee.store.etcd;

import java.util.Optional;

/**
 * How a {@link PrefixWatch} is doing.
 *
 * @param connected true while a watch stream is established
 * @param revision the revision of the last delivery (0 before the first)
 * @param reconnects how many times the watch had to be established again (stream failures, compactions)
 * @param lastError the last failure, if any
 */
public record WatchState(boolean connected, long revision, long reconnects, Optional<String> lastError) {}

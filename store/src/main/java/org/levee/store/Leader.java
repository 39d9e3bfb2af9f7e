package org.levee.store;

/**
 * The holder of the leader key as observed in etcd.
 *
 * @param identity the holder's identity (the key's value)
 * @param createRevision the revision at which it became leader
 * @param lease the lease the key is attached to
 */
public record Leader(String identity, long createRevision, long lease) {}

/**
 * A small etcd v3 client over gRPC, with the loops a long-running node needs and that client
 * libraries get wrong: {@link org.levee.store.etcd.EtcdClient} (reads, writes, transactions,
 * compaction; TLS and user authentication), {@link org.levee.store.etcd.PrefixWatch} (a watch
 * that re-establishes itself, never skips or reorders a change, and resyncs after compaction) and
 * {@link org.levee.store.etcd.Lease} (grant, keep-alive on the caller's own timer, revoke).
 * Nothing here knows Levee's key layout; {@code org.levee.store} does.
 */
package org.levee.store.etcd;

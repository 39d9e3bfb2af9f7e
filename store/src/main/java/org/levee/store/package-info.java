/**
 * Levee's fleet state in etcd (docs/store.md): the key layout ({@link org.levee.store.FleetKeys}),
 * the rule-set manifest ({@link org.levee.store.RulesetManifest} and its JSON), chunked and
 * verified objects ({@link org.levee.store.ObjectStore}, {@link org.levee.store.ObjectChunks}),
 * publishing and fetching ({@link org.levee.store.RulesetStore}), garbage collection of old
 * objects ({@link org.levee.store.ObjectCollector}), edge registrations
 * ({@link org.levee.store.NodeRegistration}) and leader election with fenced writes
 * ({@link org.levee.store.LeaderElection}). The etcd client underneath is
 * {@code org.levee.store.etcd}. Rules are opaque JSON here: the rules module owns their codec.
 */
package org.levee.store;

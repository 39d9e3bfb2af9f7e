package org.levee.store.etcd;

/**
 * What a transaction did.
 *
 * @param succeeded true when every condition held and the success operations ran
 * @param revision the store's revision after the transaction (its own when it wrote)
 */
public record TxnResult(boolean succeeded, long revision) {}

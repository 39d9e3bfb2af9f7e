package org.levee.store.testing;

import org.levee.store.etcd.EtcdClient;

/** How a test's client reaches etcd: straight to the members, or through one {@code etcd grpc-proxy}. */
public enum Via {
    DIRECT,
    PROXY;

    /** A new client (its own connections) of {@code etcd} this way, closed with the harness. */
    public EtcdClient client(EtcdHarness etcd) {
        return this == DIRECT ? etcd.client() : etcd.proxyClient();
    }
}

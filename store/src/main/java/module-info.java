/**
 * Levee's store module: the fleet's state in etcd (see docs/store.md). Speaks etcd's gRPC API
 * through grpc-java; the protobuf messages it generates stay inside ({@code org.levee.store.etcdpb}
 * is not exported), so callers see only this module's own types.
 */
module org.levee.store {
    requires transitive com.fasterxml.jackson.databind;
    requires io.grpc;
    requires io.grpc.stub;
    requires com.google.protobuf;

    // grpc-java and Guava are automatic modules: they do not say which named modules they load
    // at run time, so nothing would resolve them on the module path (NoClassDefFoundError for
    // io.netty.channel.ChannelFactory). These are the roots: gRPC's Netty transport (whose
    // modules require the rest of Netty) and Guava's failureaccess.
    requires io.netty.transport;
    requires io.netty.codec.http2;
    requires com.google.common.util.concurrent.internal;

    exports org.levee.store;
    exports org.levee.store.etcd;
    exports org.levee.store.signing;
}

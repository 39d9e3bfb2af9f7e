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

    exports org.levee.store;
    exports org.levee.store.etcd;
}

package org.levee.store.etcd;

import com.google.protobuf.Descriptors;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import org.levee.store.etcdpb.AuthenticateRequest;
import org.levee.store.etcdpb.AuthenticateResponse;
import org.levee.store.etcdpb.CompactionRequest;
import org.levee.store.etcdpb.CompactionResponse;
import org.levee.store.etcdpb.DeleteRangeRequest;
import org.levee.store.etcdpb.DeleteRangeResponse;
import org.levee.store.etcdpb.EtcdProto;
import org.levee.store.etcdpb.LeaseGrantRequest;
import org.levee.store.etcdpb.LeaseGrantResponse;
import org.levee.store.etcdpb.LeaseKeepAliveRequest;
import org.levee.store.etcdpb.LeaseKeepAliveResponse;
import org.levee.store.etcdpb.LeaseRevokeRequest;
import org.levee.store.etcdpb.LeaseRevokeResponse;
import org.levee.store.etcdpb.LeaseTimeToLiveRequest;
import org.levee.store.etcdpb.LeaseTimeToLiveResponse;
import org.levee.store.etcdpb.PutRequest;
import org.levee.store.etcdpb.PutResponse;
import org.levee.store.etcdpb.RangeRequest;
import org.levee.store.etcdpb.RangeResponse;
import org.levee.store.etcdpb.TxnRequest;
import org.levee.store.etcdpb.TxnResponse;
import org.levee.store.etcdpb.WatchRequest;
import org.levee.store.etcdpb.WatchResponse;

/**
 * etcd's gRPC methods that the store calls, described for grpc-java. Names and message types come
 * from the descriptor of our etcd.proto (checked when this class loads), so a typo cannot send a
 * request to a method that does not exist.
 */
final class EtcdMethods {
    private EtcdMethods() {}

    static final MethodDescriptor<RangeRequest, RangeResponse> RANGE =
            method("KV", "Range", RangeRequest.getDefaultInstance(), RangeResponse.getDefaultInstance());
    static final MethodDescriptor<PutRequest, PutResponse> PUT =
            method("KV", "Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance());
    static final MethodDescriptor<DeleteRangeRequest, DeleteRangeResponse> DELETE_RANGE = method(
            "KV", "DeleteRange", DeleteRangeRequest.getDefaultInstance(), DeleteRangeResponse.getDefaultInstance());
    static final MethodDescriptor<TxnRequest, TxnResponse> TXN =
            method("KV", "Txn", TxnRequest.getDefaultInstance(), TxnResponse.getDefaultInstance());
    static final MethodDescriptor<CompactionRequest, CompactionResponse> COMPACT =
            method("KV", "Compact", CompactionRequest.getDefaultInstance(), CompactionResponse.getDefaultInstance());
    static final MethodDescriptor<WatchRequest, WatchResponse> WATCH =
            method("Watch", "Watch", WatchRequest.getDefaultInstance(), WatchResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseGrantRequest, LeaseGrantResponse> LEASE_GRANT = method(
            "Lease", "LeaseGrant", LeaseGrantRequest.getDefaultInstance(), LeaseGrantResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseRevokeRequest, LeaseRevokeResponse> LEASE_REVOKE = method(
            "Lease", "LeaseRevoke", LeaseRevokeRequest.getDefaultInstance(), LeaseRevokeResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseKeepAliveRequest, LeaseKeepAliveResponse> LEASE_KEEP_ALIVE = method(
            "Lease",
            "LeaseKeepAlive",
            LeaseKeepAliveRequest.getDefaultInstance(),
            LeaseKeepAliveResponse.getDefaultInstance());
    static final MethodDescriptor<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse> LEASE_TIME_TO_LIVE = method(
            "Lease",
            "LeaseTimeToLive",
            LeaseTimeToLiveRequest.getDefaultInstance(),
            LeaseTimeToLiveResponse.getDefaultInstance());
    static final MethodDescriptor<AuthenticateRequest, AuthenticateResponse> AUTHENTICATE = method(
            "Auth",
            "Authenticate",
            AuthenticateRequest.getDefaultInstance(),
            AuthenticateResponse.getDefaultInstance());

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
            String service, String name, Q request, R response) {
        Descriptors.ServiceDescriptor s = EtcdProto.getDescriptor().findServiceByName(service);
        Descriptors.MethodDescriptor m = s == null ? null : s.findMethodByName(name);
        if (m == null
                || m.getInputType() != request.getDescriptorForType()
                || m.getOutputType() != response.getDescriptorForType()) {
            throw new IllegalStateException("etcd.proto has no method " + service + "." + name + "("
                    + request.getDescriptorForType().getName() + ") returns "
                    + response.getDescriptorForType().getName());
        }
        MethodDescriptor.MethodType type = m.isClientStreaming() && m.isServerStreaming()
                ? MethodDescriptor.MethodType.BIDI_STREAMING
                : m.isServerStreaming()
                        ? MethodDescriptor.MethodType.SERVER_STREAMING
                        : MethodDescriptor.MethodType.UNARY;
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(s.getFullName(), m.getName()))
                .setRequestMarshaller(new ProtoMarshaller<>(request))
                .setResponseMarshaller(new ProtoMarshaller<>(response))
                .setIdempotent(false)
                .build();
    }

    /** Protobuf messages on gRPC's wire: each message is its protobuf encoding. */
    private static final class ProtoMarshaller<T extends Message> implements MethodDescriptor.Marshaller<T> {
        private final Parser<T> parser;
        private final String name;

        @SuppressWarnings("unchecked")
        ProtoMarshaller(T defaultInstance) {
            this.parser = (Parser<T>) defaultInstance.getParserForType();
            this.name = defaultInstance.getDescriptorForType().getFullName();
        }

        @Override
        public InputStream stream(T value) {
            return value.toByteString().newInput();
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return parser.parseFrom(stream, ExtensionRegistryLite.getEmptyRegistry());
            } catch (InvalidProtocolBufferException e) {
                throw Status.INTERNAL
                        .withDescription("etcd sent an unreadable " + name + ": " + e.getMessage())
                        .withCause(e)
                        .asRuntimeException();
            }
        }
    }
}

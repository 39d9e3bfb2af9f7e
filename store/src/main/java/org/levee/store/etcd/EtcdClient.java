package org.levee.store.etcd;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.levee.store.etcdpb.AuthenticateRequest;
import org.levee.store.etcdpb.CompactionRequest;
import org.levee.store.etcdpb.DeleteRangeRequest;
import org.levee.store.etcdpb.LeaseGrantRequest;
import org.levee.store.etcdpb.LeaseGrantResponse;
import org.levee.store.etcdpb.LeaseKeepAliveRequest;
import org.levee.store.etcdpb.LeaseKeepAliveResponse;
import org.levee.store.etcdpb.LeaseRevokeRequest;
import org.levee.store.etcdpb.PutRequest;
import org.levee.store.etcdpb.RangeRequest;
import org.levee.store.etcdpb.RangeResponse;
import org.levee.store.etcdpb.RequestOp;
import org.levee.store.etcdpb.TxnRequest;
import org.levee.store.etcdpb.TxnResponse;
import org.levee.store.etcdpb.WatchRequest;
import org.levee.store.etcdpb.WatchResponse;

/**
 * A connection to an etcd cluster (or to a gRPC proxy in front of one) over etcd's v3 gRPC API:
 * reads, writes, transactions, compaction, and the leases and watch streams that {@link Lease}
 * and {@link PrefixWatch} build on. One gRPC channel with a connection to every endpoint; a
 * request goes to any healthy one and is retried on another when a member is unreachable.
 *
 * <p>Every request has the settings' deadline and fails with a {@link StoreException} naming the
 * request, the key and etcd's reason. Thread-safe; close it to release its connections.
 */
public final class EtcdClient implements AutoCloseable {
    /** Keys per page when reading a range: bounded responses, one revision for all pages. */
    static final int PAGE_KEYS = 500;
    /** Replies of up to this size are accepted (gRPC's default of 4 MiB is below a page of chunks). */
    private static final int MAX_REPLY_BYTES = 64 << 20;
    /** Requests that reached no member (connection refused, member gone) are retried on another. */
    private static final Map<String, Object> SERVICE_CONFIG = Map.of(
            "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
            "methodConfig",
                    List.of(Map.of(
                            "name",
                                    List.of(
                                            method("KV", "Range"),
                                            method("KV", "Put"),
                                            method("KV", "DeleteRange"),
                                            method("KV", "Txn"),
                                            method("KV", "Compact"),
                                            method("Lease", "LeaseGrant"),
                                            method("Lease", "LeaseRevoke"),
                                            method("Lease", "LeaseTimeToLive"),
                                            method("Auth", "Authenticate")),
                            "retryPolicy",
                                    Map.of(
                                            "maxAttempts",
                                            3.0,
                                            "initialBackoff",
                                            "0.05s",
                                            "maxBackoff",
                                            "0.5s",
                                            "backoffMultiplier",
                                            2.0,
                                            "retryableStatusCodes",
                                            List.of("UNAVAILABLE")))));

    private static Map<String, Object> method(String service, String name) {
        return Map.of("service", "etcdserverpb." + service, "method", name);
    }

    private final EtcdSettings settings;
    private final ManagedChannel channel;
    private final TokenCredentials auth;

    private EtcdClient(EtcdSettings settings) {
        this.settings = settings;
        NameResolverRegistry resolvers = new NameResolverRegistry();
        resolvers.register(new StaticEndpoints(settings.endpoints()));
        this.channel = channelBuilder(settings, resolvers)
                .defaultServiceConfig(SERVICE_CONFIG)
                .enableRetry()
                // A member that vanishes without closing the connection (power loss, partition) is
                // noticed by HTTP/2 pings: etcd allows one every 5 s, gRPC-Java sends at most one every 10 s.
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(5, TimeUnit.SECONDS)
                .maxInboundMessageSize(MAX_REPLY_BYTES)
                .userAgent("levee-store")
                .build();
        this.auth = settings.user().isPresent() ? new TokenCredentials(this::authenticate) : null;
    }

    /**
     * A client for {@code settings}. Connections are made on first use, so this does not fail when
     * etcd is down; requests do.
     *
     * @throws IllegalArgumentException when a TLS file cannot be read
     */
    public static EtcdClient connect(EtcdSettings settings) {
        return new EtcdClient(settings);
    }

    public EtcdSettings settings() {
        return settings;
    }

    /** The key, if it exists (a linearizable read). */
    public Optional<KeyValue> get(String key) {
        RangeResponse r = unary(
                EtcdMethods.RANGE, RangeRequest.newBuilder().setKey(bytes(key)).build(), "read " + key);
        return r.getKvsCount() == 0 ? Optional.empty() : Optional.of(keyValue(r.getKvs(0)));
    }

    /** The key, if it exists, without waiting (a linearizable read): for reading many keys at once. */
    public CompletableFuture<Optional<KeyValue>> getAsync(String key) {
        return getAsync(key, false);
    }

    /**
     * The key, if it exists, without waiting. A {@code serializable} read is answered by whichever
     * member (or grpc-proxy cache) gets it, without asking the raft leader: cheaper and cacheable,
     * but possibly stale or missing a key just written — right for immutable values such as
     * content-addressed chunks, with a linearizable read when the key is not found.
     */
    public CompletableFuture<Optional<KeyValue>> getAsync(String key, boolean serializable) {
        CompletableFuture<Optional<KeyValue>> result = new CompletableFuture<>();
        getAsync(
                RangeRequest.newBuilder()
                        .setKey(bytes(key))
                        .setSerializable(serializable)
                        .build(),
                key,
                result,
                new Retries());
        return result;
    }

    /**
     * Every key of {@code range} with its value, as of one revision (read in pages of
     * {@value #PAGE_KEYS} keys pinned to the first page's revision). Meant for small values such
     * as rules; read large values key by key.
     */
    public RangeResult get(KeyRange range) {
        return readRange(range, false);
    }

    /** Every key of {@code range}, without values (their {@link KeyValue#value()} is empty). */
    public RangeResult keys(KeyRange range) {
        return readRange(range, true);
    }

    /** Puts {@code value} at {@code key}; returns the revision of the write. */
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    /** Puts {@code value} at {@code key} attached to {@code lease}; returns the revision of the write. */
    public long put(String key, byte[] value, long lease) {
        PutRequest request = PutRequest.newBuilder()
                .setKey(bytes(key))
                .setValue(ByteString.copyFrom(value))
                .setLease(lease)
                .build();
        return unary(EtcdMethods.PUT, request, "put " + key).getHeader().getRevision();
    }

    /** Deletes the keys of {@code range}; returns how many there were. */
    public long delete(KeyRange range) {
        DeleteRangeRequest request = DeleteRangeRequest.newBuilder()
                .setKey(ByteString.copyFrom(range.startBytes()))
                .setRangeEnd(ByteString.copyFrom(range.endBytes()))
                .build();
        return unary(EtcdMethods.DELETE_RANGE, request, "delete " + range).getDeleted();
    }

    /**
     * One atomic transaction: when every condition of {@code when} holds, the writes of
     * {@code then}, otherwise those of {@code otherwise}. etcd takes at most 128 operations and
     * 1.5 MiB per request by default.
     */
    public TxnResult txn(List<Compare> when, List<Op> then, List<Op> otherwise) {
        TxnRequest.Builder request = TxnRequest.newBuilder();
        when.forEach(c -> request.addCompare(compare(c)));
        then.forEach(o -> request.addSuccess(requestOp(o)));
        otherwise.forEach(o -> request.addFailure(requestOp(o)));
        String what = "transaction (" + when.size() + " conditions, " + then.size() + "+" + otherwise.size() + " writes"
                + (then.isEmpty() ? "" : ", first " + describe(then.getFirst())) + ")";
        TxnResponse r = unary(EtcdMethods.TXN, request.build(), what);
        return new TxnResult(r.getSucceeded(), r.getHeader().getRevision());
    }

    /** Discards the history before {@code revision}: watches and reads from older revisions fail. */
    public void compact(long revision) {
        unary(
                EtcdMethods.COMPACT,
                CompactionRequest.newBuilder().setRevision(revision).build(),
                "compact to revision " + revision);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "EtcdClient[" + settings.endpointList() + "]";
    }

    // ---- leases (see Lease) ----

    LeaseGrantResponse grantLease(long ttlSeconds) {
        LeaseGrantResponse r = unary(
                EtcdMethods.LEASE_GRANT,
                LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build(),
                "grant a lease of " + ttlSeconds + " s");
        if (!r.getError().isEmpty()) {
            throw new StoreException(
                    StoreException.Reason.REFUSED, "etcd grant a lease of " + ttlSeconds + " s: " + r.getError());
        }
        return r;
    }

    void revokeLease(long lease) {
        unary(
                EtcdMethods.LEASE_REVOKE,
                LeaseRevokeRequest.newBuilder().setID(lease).build(),
                "revoke lease " + Long.toHexString(lease));
    }

    /**
     * One keep-alive of {@code lease} on a stream of its own (a long-lived keep-alive stream is
     * where client libraries lose leases): the lease's remaining TTL in seconds, 0 or less when
     * it no longer exists.
     */
    long keepAliveOnce(long lease, Duration timeout) {
        String what = "keep lease " + Long.toHexString(lease) + " alive";
        Retries retries = new Retries();
        while (true) {
            CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
            ClientCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call =
                    channel.newCall(EtcdMethods.LEASE_KEEP_ALIVE, callOptions(timeout));
            call.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onMessage(LeaseKeepAliveResponse message) {
                            answer.complete(message);
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            answer.completeExceptionally(
                                    status.isOk()
                                            ? Status.UNAVAILABLE
                                                    .withDescription("keep-alive stream ended without an answer")
                                                    .asRuntimeException()
                                            : status.asRuntimeException(trailers));
                        }
                    },
                    new Metadata());
            call.request(1);
            // No half-close: etcd's grpc-proxy ends a stream's keep-alives when the client half-closes,
            // before it has forwarded the request. The call is cancelled once answered.
            call.sendMessage(LeaseKeepAliveRequest.newBuilder().setID(lease).build());
            try {
                return answer.get().getTTL();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.Reason.OTHER, "etcd " + what + ": interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException s) {
                    if (retries.again(s)) {
                        continue;
                    }
                    throw failure(what, s);
                }
                throw new StoreException(
                        StoreException.Reason.OTHER, "etcd " + what + ": " + e.getCause(), e.getCause());
            } finally {
                call.cancel("keep-alive answered", null);
            }
        }
    }

    // ---- watches (see PrefixWatch) ----

    /**
     * A watch stream ended, or etcd cancelled a watch, for {@code reason}: a token that may be stale
     * is forgotten so the next stream authenticates. etcd cancels a watch made with a stale token
     * as "permission denied", like one the user may not make; a fresh token tells them apart
     * (then the watch fails again, paced by its backoff).
     */
    void streamFailed(String reason) {
        if (auth != null
                && reason != null
                && (reason.contains("invalid auth token")
                        || reason.contains("revision of auth store is old")
                        || reason.contains("permission denied"))) {
            auth.invalidate();
        }
    }

    /** How many times this client authenticated (0 without a user). */
    int authentications() {
        return auth == null ? 0 : auth.fetches();
    }

    /** Connections that failed are tried again now instead of after gRPC's reconnect backoff. */
    void reconnectNow() {
        channel.resetConnectBackoff();
    }

    /** A new watch stream; no deadline, and etcd cancels it when its member loses the raft leader. */
    ClientCall<WatchRequest, WatchResponse> newWatchCall() {
        return channel.newCall(EtcdMethods.WATCH, callOptions(null));
    }

    /** Headers of a watch stream: "hasleader" makes a member without a leader end it instead of going silent. */
    static Metadata watchHeaders() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
        return headers;
    }

    /** Turns a failed call into a StoreException; on a stale token, forgets it so the next call authenticates. */
    StoreException failure(String what, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (staleToken(e)) {
            auth.invalidate();
        }
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            // gRPC would wait out its own reconnect backoff (up to 2 minutes after a long outage);
            // callers retry on their own backoff, so the next request may connect at once.
            channel.resetConnectBackoff();
        }
        StoreException.Reason reason = reason(status.getCode(), description);
        // gRPC's own text can be a pipeline dump; the first line and the root cause (say, why a TLS
        // handshake failed) tell more.
        String shown = description.lines().findFirst().orElse("");
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null) {
            shown += (shown.isEmpty() ? "" : ": ")
                    + root.getMessage().lines().findFirst().orElse("");
        }
        return new StoreException(
                reason,
                "etcd " + what + ": " + status.getCode() + (shown.isEmpty() ? "" : ": " + shown) + " (endpoints "
                        + settings.endpointList() + ")",
                e);
    }

    /**
     * etcd's own errors are recognised by their text first: a grpc-proxy passes the text on but
     * not always the code (it answers UNKNOWN for a missing lease).
     */
    static StoreException.Reason reason(Status.Code code, String description) {
        if (description.contains("required revision has been compacted")) {
            return StoreException.Reason.COMPACTED;
        }
        if (description.contains("requested lease not found")) {
            return StoreException.Reason.LEASE_NOT_FOUND;
        }
        if (description.contains("authentication failed")
                || description.contains("user name is empty")
                || description.contains("permission denied")
                || description.contains("invalid auth token")) {
            return StoreException.Reason.AUTH;
        }
        if (description.contains("request is too large")
                || description.contains("too many operations")
                || description.contains("duplicate key")) {
            return StoreException.Reason.REFUSED;
        }
        return switch (code) {
            case UNAVAILABLE -> StoreException.Reason.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> StoreException.Reason.TIMEOUT;
            case UNAUTHENTICATED, PERMISSION_DENIED -> StoreException.Reason.AUTH;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, OUT_OF_RANGE ->
                StoreException.Reason.REFUSED;
            default -> StoreException.Reason.OTHER;
        };
    }

    // ---- plumbing ----

    private <Q, R> R unary(MethodDescriptor<Q, R> method, Q request, String what) {
        Retries retries = new Retries();
        while (true) {
            try {
                return ClientCalls.blockingUnaryCall(channel, method, callOptions(settings.requestTimeout()), request);
            } catch (StatusRuntimeException e) {
                if (!retries.again(e)) {
                    throw failure(what, e);
                }
            }
        }
    }

    /**
     * Which failed calls deserve one more try at once: one after a stale token (forgotten then),
     * and one when no connection was ready — etcd may be back while gRPC still waits out its
     * reconnect backoff, which is cut short; if etcd is still away the retry fails as fast. After a
     * restart a call may meet both, one after the other.
     */
    private final class Retries {
        private boolean token;
        private boolean connection;

        boolean again(StatusRuntimeException e) {
            if (!token && staleToken(e)) {
                token = true;
                auth.invalidate();
                return true;
            }
            if (!connection && e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                connection = true;
                channel.resetConnectBackoff();
                return true;
            }
            return false;
        }
    }

    private void getAsync(
            RangeRequest request, String key, CompletableFuture<Optional<KeyValue>> result, Retries retries) {
        ClientCall<RangeRequest, RangeResponse> call =
                channel.newCall(EtcdMethods.RANGE, callOptions(settings.requestTimeout()));
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(RangeResponse r) {
                result.complete(r.getKvsCount() == 0 ? Optional.empty() : Optional.of(keyValue(r.getKvs(0))));
            }

            @Override
            public void onError(Throwable t) {
                if (t instanceof StatusRuntimeException s) {
                    if (retries.again(s)) {
                        getAsync(request, key, result, retries);
                        return;
                    }
                    result.completeExceptionally(failure("read " + key, s));
                } else {
                    result.completeExceptionally(t);
                }
            }

            @Override
            public void onCompleted() {}
        });
    }

    private RangeResult readRange(KeyRange range, boolean keysOnly) {
        for (int attempt = 0; ; attempt++) {
            try {
                return readPages(range, keysOnly);
            } catch (StoreException e) {
                // A compaction between two pages: read again at the newest revision.
                if (e.reason() != StoreException.Reason.COMPACTED || attempt == 2) {
                    throw e;
                }
            }
        }
    }

    private RangeResult readPages(KeyRange range, boolean keysOnly) {
        List<KeyValue> kvs = new ArrayList<>();
        byte[] from = range.startBytes();
        byte[] end = range.endBytes();
        long revision = 0;
        while (true) {
            RangeRequest.Builder request =
                    RangeRequest.newBuilder().setKey(ByteString.copyFrom(from)).setKeysOnly(keysOnly);
            if (range.prefix()) {
                request.setRangeEnd(ByteString.copyFrom(end)).setLimit(PAGE_KEYS);
            }
            if (revision != 0) {
                request.setRevision(revision);
            }
            RangeResponse r = unary(EtcdMethods.RANGE, request.build(), "read " + range);
            if (revision == 0) {
                revision = r.getHeader().getRevision();
            }
            r.getKvsList().forEach(kv -> kvs.add(keyValue(kv)));
            if (!r.getMore() || r.getKvsCount() == 0) {
                return new RangeResult(revision, kvs);
            }
            byte[] last = r.getKvs(r.getKvsCount() - 1).getKey().toByteArray();
            from = Arrays.copyOf(last, last.length + 1); // the next key after the last one read
        }
    }

    /** Options of a call: its deadline ({@code null}: none, for streams) and the auth token. */
    private CallOptions callOptions(Duration deadline) {
        CallOptions options = CallOptions.DEFAULT;
        if (deadline != null) {
            options = options.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
        return auth == null ? options : options.withCallCredentials(auth);
    }

    private String authenticate() {
        String user = settings.user().orElseThrow();
        AuthenticateRequest request = AuthenticateRequest.newBuilder()
                .setName(user)
                .setPassword(settings.password().orElseThrow())
                .build();
        try {
            return ClientCalls.blockingUnaryCall(
                            channel,
                            EtcdMethods.AUTHENTICATE,
                            callOptions(settings.requestTimeout()).withCallCredentials(null),
                            request)
                    .getToken();
        } catch (StatusRuntimeException e) {
            // gRPC lets credentials fail a call only with a few codes; UNAUTHENTICATED says what happened.
            Status status = e.getStatus();
            throw (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED
                            ? status
                            : Status.UNAUTHENTICATED.withDescription(
                                    "authentication as user '" + user + "' failed: " + status.getDescription()))
                    .asRuntimeException();
        }
    }

    private boolean staleToken(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        return auth != null
                && description != null
                && (description.contains("invalid auth token")
                        || description.contains("revision of auth store is old"));
    }

    private static io.grpc.ManagedChannelBuilder<?> channelBuilder(
            EtcdSettings settings, NameResolverRegistry resolvers) {
        ChannelCredentials credentials = credentials(settings);
        try {
            return Grpc.newChannelBuilder(StaticEndpoints.SCHEME + ":///etcd", credentials, resolvers);
        } catch (IllegalArgumentException e) {
            // gRPC parses the PEM files only here.
            throw new IllegalArgumentException(
                    "etcd TLS files (CA "
                            + settings.caFile().map(Path::toString).orElse("none")
                            + ", client certificate and key "
                            + settings.certFile().map(Path::toString).orElse("none") + ", "
                            + settings.keyFile().map(Path::toString).orElse("none") + "): " + e.getMessage() + PEM_HINT,
                    e);
        }
    }

    private static final String PEM_HINT = " (PEM files; the key in PKCS#8: openssl pkcs8 -topk8 -nocrypt)";

    private static ChannelCredentials credentials(EtcdSettings settings) {
        if (!settings.tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        settings.caFile().ifPresent(ca -> read("CA", ca, () -> tls.trustManager(ca.toFile())));
        if (settings.certFile().isPresent()) {
            Path cert = settings.certFile().get();
            Path key = settings.keyFile().orElseThrow();
            read("client certificate and key", cert, () -> tls.keyManager(cert.toFile(), key.toFile()));
        }
        return tls.build();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void read(String what, Path file, IoAction action) {
        try {
            action.run();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd " + what + " " + file + ": " + e.getMessage() + PEM_HINT, e);
        }
    }

    static ByteString bytes(String key) {
        return ByteString.copyFrom(key, StandardCharsets.UTF_8);
    }

    static KeyValue keyValue(org.levee.store.etcdpb.KeyValue kv) {
        return new KeyValue(
                kv.getKey().toStringUtf8(),
                kv.getValue().toByteArray(),
                kv.getCreateRevision(),
                kv.getModRevision(),
                kv.getVersion(),
                kv.getLease());
    }

    private static org.levee.store.etcdpb.Compare compare(Compare c) {
        org.levee.store.etcdpb.Compare.Builder b = org.levee.store.etcdpb.Compare.newBuilder()
                .setKey(ByteString.copyFrom(c.keys().startBytes()));
        if (c.keys().prefix()) {
            b.setRangeEnd(ByteString.copyFrom(c.keys().endBytes()));
        }
        b.setResult(
                switch (c.operator()) {
                    case EQUAL -> org.levee.store.etcdpb.Compare.CompareResult.EQUAL;
                    case NOT_EQUAL -> org.levee.store.etcdpb.Compare.CompareResult.NOT_EQUAL;
                    case GREATER -> org.levee.store.etcdpb.Compare.CompareResult.GREATER;
                    case LESS -> org.levee.store.etcdpb.Compare.CompareResult.LESS;
                });
        switch (c.target()) {
            case CREATE_REVISION ->
                b.setTarget(org.levee.store.etcdpb.Compare.CompareTarget.CREATE).setCreateRevision(c.number());
            case MOD_REVISION ->
                b.setTarget(org.levee.store.etcdpb.Compare.CompareTarget.MOD).setModRevision(c.number());
            case VERSION ->
                b.setTarget(org.levee.store.etcdpb.Compare.CompareTarget.VERSION)
                        .setVersion(c.number());
            case VALUE ->
                b.setTarget(org.levee.store.etcdpb.Compare.CompareTarget.VALUE)
                        .setValue(ByteString.copyFrom(c.valueBytes()));
        }
        return b.build();
    }

    private static RequestOp requestOp(Op op) {
        return switch (op) {
            case Op.Put p ->
                RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder()
                                .setKey(bytes(p.key()))
                                .setValue(ByteString.copyFrom(p.value()))
                                .setLease(p.lease()))
                        .build();
            case Op.Delete d ->
                RequestOp.newBuilder()
                        .setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                                .setKey(ByteString.copyFrom(d.keys().startBytes()))
                                .setRangeEnd(ByteString.copyFrom(d.keys().endBytes())))
                        .build();
        };
    }

    private static String describe(Op op) {
        return switch (op) {
            case Op.Put p -> "put " + p.key();
            case Op.Delete d -> "delete " + d.keys();
        };
    }
}

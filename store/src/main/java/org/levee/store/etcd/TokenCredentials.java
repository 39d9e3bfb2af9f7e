package org.levee.store.etcd;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * etcd's user authentication: a token from Authenticate, sent as the {@code token} header of every
 * request. The token is fetched on first use and again after {@link #invalidate} (etcd forgets
 * simple tokens on restart and after their TTL, and answers "invalid auth token").
 */
final class TokenCredentials extends CallCredentials {
    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

    private final Supplier<String> authenticate;
    private volatile String token;
    private volatile int fetches;

    TokenCredentials(Supplier<String> authenticate) {
        this.authenticate = authenticate;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        String current = token;
        if (current != null) {
            applier.apply(headers(current));
            return;
        }
        appExecutor.execute(() -> {
            try {
                applier.apply(headers(fetch()));
            } catch (StatusRuntimeException e) {
                applier.fail(e.getStatus());
            }
        });
    }

    /** Forgets {@code stale} so the next request authenticates again. */
    void invalidate() {
        token = null;
    }

    private synchronized String fetch() {
        String current = token;
        if (current == null) {
            current = authenticate.get();
            token = current;
            fetches++;
        }
        return current;
    }

    /** How many tokens were fetched. */
    int fetches() {
        return fetches;
    }

    private static Metadata headers(String token) {
        Metadata headers = new Metadata();
        headers.put(TOKEN, token);
        return headers;
    }
}

package org.levee.store.etcd;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the channel's one target to the configured endpoints, each its own address group, so
 * gRPC's round-robin balancer keeps a connection to every member and moves requests off a
 * member that goes away. Host names are looked up on every (re)resolution.
 */
final class StaticEndpoints extends NameResolverProvider {
    static final String SCHEME = "levee-etcd";

    private final List<URI> endpoints;

    StaticEndpoints(List<URI> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        return new NameResolver() {
            private Listener2 listener;

            @Override
            public String getServiceAuthority() {
                return endpoints.getFirst().getHost() + ":"
                        + endpoints.getFirst().getPort();
            }

            @Override
            public void start(Listener2 listener) {
                this.listener = listener;
                resolve();
            }

            @Override
            public void refresh() {
                resolve();
            }

            private void resolve() {
                List<EquivalentAddressGroup> groups = new ArrayList<>();
                List<String> unresolved = new ArrayList<>();
                for (URI endpoint : endpoints) {
                    InetSocketAddress address = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
                    if (address.isUnresolved()) {
                        unresolved.add(endpoint.getHost());
                        continue;
                    }
                    // TLS checks each member's certificate against its own host name.
                    Attributes attributes = Attributes.newBuilder()
                            .set(
                                    EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE,
                                    endpoint.getHost() + ":" + endpoint.getPort())
                            .build();
                    groups.add(new EquivalentAddressGroup(address, attributes));
                }
                if (groups.isEmpty()) {
                    listener.onResult2(ResolutionResult.newBuilder()
                            .setAddressesOrError(StatusOr.fromStatus(
                                    Status.UNAVAILABLE.withDescription("cannot resolve etcd hosts " + unresolved)))
                            .build());
                    return;
                }
                listener.onResult2(ResolutionResult.newBuilder()
                        .setAddressesOrError(StatusOr.fromValue(groups))
                        .build());
            }

            @Override
            public void shutdown() {}
        };
    }
}

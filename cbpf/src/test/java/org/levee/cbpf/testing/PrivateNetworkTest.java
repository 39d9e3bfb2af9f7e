package org.levee.cbpf.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.testing.Requirements;

/**
 * The namespace the tcpdump-expression fuzz test compiles in: no route anywhere, so host names
 * cannot reach a DNS server. (Connecting a UDP socket only looks up a route; nothing is sent.)
 */
@Tag("kernel")
class PrivateNetworkTest {
    private static final InetSocketAddress TEST_NET = new InetSocketAddress("192.0.2.53", 53);

    @Test
    void aThreadInAPrivateNetworkHasNoRouteAndLibpcapCannotResolveNames() throws Exception {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                PrivateNetwork.enter();
                PrivateNetwork.enter(); // once per thread
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    assertThatThrownBy(() -> socket.connect(TEST_NET))
                            .isInstanceOf(SocketException.class)
                            .hasMessageContaining("unreachable");
                }
                assertThatThrownBy(() -> Libpcap.compile("host levee-fuzz.example"))
                        .isInstanceOf(CbpfException.class)
                        .hasMessageContaining("unknown host 'levee-fuzz.example'");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.join();
        assertThat(failure.get()).isNull();
    }
}

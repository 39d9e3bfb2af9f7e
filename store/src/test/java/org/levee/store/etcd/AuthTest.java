package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.RecordingListener;

/** etcd with user authentication on: the client authenticates, renews its token, and says why it is refused. */
class AuthTest {
    private static final String ROOT = "--user=root:root-secret";
    private static EtcdHarness etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1);
        etcd.etcdctl("user", "add", "root:root-secret");
        etcd.etcdctl("user", "add", "levee:levee-secret");
        etcd.etcdctl("role", "add", "fleet");
        etcd.etcdctl("role", "grant-permission", "fleet", "--prefix=true", "readwrite", "/levee/");
        etcd.etcdctl("user", "grant-role", "levee", "fleet");
        etcd.etcdctl("auth", "enable");
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static EtcdClient as(String user, String password) {
        return etcd.client(etcd.settings().withUser(user, password));
    }

    @Test
    void aUserReadsWritesAndWatchesWhatItMayAndAuthenticatesAgainWhenItsTokenGoesStale() {
        EtcdClient client = as("levee", "levee-secret");
        client.put("/levee/auth/a", "1".getBytes(StandardCharsets.UTF_8));
        assertThat(etcd.etcdctl(ROOT, "get", "/levee/auth/a", "--print-value-only")
                        .strip())
                .isEqualTo("1");
        RecordingListener listener = new RecordingListener();
        EtcdClient watcher = as("levee", "levee-secret"); // only watches: its stream must re-authenticate alone
        try (PrefixWatch watch = PrefixWatch.startPrefix(watcher, "/levee/auth/", listener)) {
            listener.awaitState(Map.of("/levee/auth/a", "1"), Duration.ofSeconds(10));
            Lease lease = Lease.grant(client, Duration.ofSeconds(60));
            client.put("/levee/auth/leased", "2".getBytes(StandardCharsets.UTF_8), lease.id());
            assertThat(lease.keepAlive()).isTrue();
            assertThat(client.authentications()).isEqualTo(1);
            assertThat(watcher.authentications()).isEqualTo(1);

            // Turning authentication off and on again makes etcd forget every token.
            etcd.etcdctl(ROOT, "auth", "disable");
            etcd.etcdctl("auth", "enable");
            client.put("/levee/auth/b", "3".getBytes(StandardCharsets.UTF_8));
            assertThat(lease.keepAlive()).isTrue();
            assertThat(client.authentications()).isEqualTo(2);

            // The watch stream goes on with its stale token until it must be made again: etcd then
            // refuses it and the watcher authenticates again by itself.
            etcd.kill(0);
            etcd.restart(0);
            client.put("/levee/auth/c", "4".getBytes(StandardCharsets.UTF_8));
            try {
                listener.awaitState(
                        Map.of(
                                "/levee/auth/a",
                                "1",
                                "/levee/auth/leased",
                                "2",
                                "/levee/auth/b",
                                "3",
                                "/levee/auth/c",
                                "4"),
                        Duration.ofSeconds(20));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; " + watch.state(), e);
            }
            listener.assertOrderedAndConsistent(true, java.util.List.of("1", "2", "3", "4"));
            assertThat(watcher.authentications()).isEqualTo(2);
        }
    }

    @Test
    void refusalsSayWhy() {
        StoreException wrongPassword = org.junit.jupiter.api.Assertions.assertThrows(
                StoreException.class, () -> as("levee", "wrong").get("/levee/auth/a"));
        assertThat(wrongPassword.reason()).isEqualTo(StoreException.Reason.AUTH);
        assertThat(wrongPassword.getMessage())
                .contains("read /levee/auth/a")
                .contains("authentication as user 'levee' failed")
                .contains("invalid user ID or password");

        assertThatThrownBy(() -> as("levee", "levee-secret").put("/elsewhere", new byte[] {1}))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.AUTH))
                .hasMessageContaining("put /elsewhere")
                .hasMessageContaining("permission denied");

        StoreException anonymous = org.junit.jupiter.api.Assertions.assertThrows(
                StoreException.class, () -> etcd.client().get("/levee/auth/a"));
        assertThat(anonymous.reason()).isEqualTo(StoreException.Reason.AUTH);
        assertThat(anonymous.getMessage()).contains("user name is empty");
    }
}

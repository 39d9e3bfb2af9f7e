package org.levee.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.store.testing.EtcdHarness;

/** The client's requests against one real etcd member: what it writes, etcdctl reads, and back. */
class EtcdClientTest {
    private static EtcdHarness etcd;
    private static EtcdClient client;

    @BeforeAll
    static void start() {
        etcd = EtcdHarness.start(1);
        client = etcd.client();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putThenGetAgreesWithEtcdctl() {
        long revision = client.put("/t/put/a", utf8("alpha"));
        assertThat(etcd.etcdctl("get", "/t/put/a", "--print-value-only").strip())
                .isEqualTo("alpha");
        etcd.etcdctl("put", "/t/put/b", "beta");
        KeyValue b = client.get("/t/put/b").orElseThrow();
        assertThat(b.valueUtf8()).isEqualTo("beta");
        assertThat(b.modRevision()).isGreaterThan(revision);
        assertThat(b.version()).isEqualTo(1);
        assertThat(client.get("/t/put/missing")).isEmpty();
    }

    @Test
    void prefixReadsPageThroughManyKeysAtOneRevision() {
        int count = EtcdClient.PAGE_KEYS * 2 + 17;
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ops.add(Op.put(String.format("/t/many/%05d", i), utf8("v" + i)));
            if (ops.size() == 100) {
                client.txn(List.of(), ops, List.of());
                ops.clear();
            }
        }
        client.txn(List.of(), ops, List.of());
        client.put("/t/many0", utf8("outside the prefix"));
        RangeResult all = client.get(KeyRange.prefix("/t/many/"));
        assertThat(all.kvs()).hasSize(count);
        assertThat(all.kvs().getFirst().key()).isEqualTo("/t/many/00000");
        assertThat(all.kvs().getLast().valueUtf8()).isEqualTo("v" + (count - 1));
        assertThat(all.kvs()).extracting(KeyValue::key).isSorted();
        RangeResult keys = client.keys(KeyRange.prefix("/t/many/"));
        assertThat(keys.kvs())
                .hasSize(count)
                .allSatisfy(kv -> assertThat(kv.value()).isEmpty());
        assertThat(client.delete(KeyRange.prefix("/t/many/"))).isEqualTo(count);
        assertThat(client.get("/t/many0")).isPresent();
    }

    @Test
    void transactionsRunTheBranchTheirConditionsChoose() {
        assertThat(client.txn(
                                List.of(Compare.absent("/t/txn/k")),
                                List.of(Op.put("/t/txn/k", utf8("first"))),
                                List.of())
                        .succeeded())
                .isTrue();
        TxnResult second = client.txn(
                List.of(Compare.absent("/t/txn/k")),
                List.of(Op.put("/t/txn/k", utf8("second"))),
                List.of(Op.put("/t/txn/lost", utf8("yes"))));
        assertThat(second.succeeded()).isFalse();
        assertThat(client.get("/t/txn/k").orElseThrow().valueUtf8()).isEqualTo("first");
        assertThat(client.get("/t/txn/lost").orElseThrow().valueUtf8()).isEqualTo("yes");
        long created = client.get("/t/txn/k").orElseThrow().createRevision();
        assertThat(client.txn(
                                List.of(
                                        Compare.createdAt("/t/txn/k", created),
                                        Compare.valueIs("/t/txn/k", utf8("first"))),
                                List.of(Op.delete("/t/txn/k")),
                                List.of())
                        .succeeded())
                .isTrue();
        assertThat(client.get("/t/txn/k")).isEmpty();
    }

    @Test
    void aConditionOverAPrefixHoldsOnlyWhenItHoldsForEveryKey() {
        client.put("/t/range/a", utf8("1"));
        long listed = client.put("/t/range/b", utf8("2"));
        Compare untouched = Compare.unmodifiedSince(KeyRange.prefix("/t/range/"), listed);
        assertThat(client.txn(List.of(untouched), List.of(), List.of()).succeeded())
                .isTrue();
        client.put("/t/range/a", utf8("rewritten"));
        assertThat(client.txn(List.of(untouched), List.of(), List.of()).succeeded())
                .isFalse();
        // No key at all: etcd compares with an absent key's zeros.
        assertThat(client.txn(
                                List.of(Compare.unmodifiedSince(KeyRange.prefix("/t/range-none/"), listed)),
                                List.of(),
                                List.of())
                        .succeeded())
                .isTrue();
    }

    @Test
    void readsOfACompactedRevisionAndOversizedRequestsFailWithTheirReason() {
        client.put("/t/compact/k", utf8("1"));
        long compacted = etcd.compact();
        assertThat(compacted).isPositive();
        StoreException tooLarge = org.junit.jupiter.api.Assertions.assertThrows(
                StoreException.class,
                () -> client.put(
                        "/t/large", new byte[(3 << 19) + (64 << 10)])); // over etcd's 1.5 MiB, under gRPC's 2 MiB
        assertThat(tooLarge.reason()).isEqualTo(StoreException.Reason.REFUSED);
        assertThat(tooLarge.getMessage()).contains("put /t/large").contains("too large");
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 129; i++) {
            ops.add(Op.put("/t/ops/" + i, utf8("x")));
        }
        assertThatThrownBy(() -> client.txn(List.of(), ops, List.of()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("too many operations");
    }

    @Test
    void leasesExpireAndTheirKeysWithThem() throws Exception {
        Lease lease = Lease.grant(client, Duration.ofSeconds(2));
        assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(2));
        client.put("/t/lease/k", utf8("leased"), lease.id());
        assertThat(etcd.etcdctl("lease", "timetolive", Long.toHexString(lease.id()), "--keys"))
                .contains("/t/lease/k");
        assertThat(lease.keepAlive()).isTrue();
        assertThat(lease.certainlyAlive()).isTrue();
        Thread.sleep(3_000);
        assertThat(client.get("/t/lease/k")).isEmpty();
        assertThat(lease.keepAlive()).isFalse();
        assertThat(lease.certainlyAlive()).isFalse();
        lease.revoke(); // already gone: not an error
    }

    @Test
    void anUnreachableClusterIsReportedAsUnavailableNamingTheEndpoints() {
        try (EtcdClient nowhere =
                EtcdClient.connect(EtcdSettings.of("127.0.0.1:1").withRequestTimeout(Duration.ofSeconds(2)))) {
            StoreException e =
                    org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> nowhere.get("/t/x"));
            assertThat(e.reason()).isIn(StoreException.Reason.UNAVAILABLE, StoreException.Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("read /t/x").contains("http://127.0.0.1:1");
        }
        assertThat(Optional.of(client.put("/t/after", utf8("still fine"))))
                .get()
                .isNotNull();
    }
}

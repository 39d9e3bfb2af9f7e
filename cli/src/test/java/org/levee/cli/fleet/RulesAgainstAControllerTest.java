package org.levee.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.cli.CliRun;
import org.levee.config.EtcdSection;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.store.FleetKeys;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;

/** {@code levee rules … --api http://controller} works against a controller as against an agent. */
class RulesAgainstAControllerTest {

    @TempDir
    Path state;

    @Test
    void addListShowAndRemoveThroughAController() throws Exception {
        org.levee.testing.Requirements.library("libpcap.so.0.8");
        try (EtcdHarness etcd = EtcdHarness.start(1);
                Controller controller = Controller.start(
                        ControllerConfig.defaults()
                                .withName("ctl-r")
                                .withSflowListen(new InetSocketAddress("127.0.0.1", 0))
                                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEtcd(EtcdSection.none())
                                .withStateDir(state),
                        etcd.settings())) {
            String api = "http://127.0.0.1:" + controller.apiAddress().getPort();
            String token = state.resolve("api-token").toString();
            CliRun add = CliRun.of(
                    "rules",
                    "add",
                    "--api",
                    api,
                    "--token-file",
                    token,
                    "--filter",
                    "udp and src port 11211",
                    "--dst",
                    "203.0.113.0/24",
                    "--dc",
                    "ams1,fra1",
                    "--ttl",
                    "1h",
                    "--action",
                    "ratelimit",
                    "--pps",
                    "1000",
                    "--id",
                    "memcached");
            assertThat(add.exitCode()).as(add.err()).isZero();
            assertThat(add.out()).isEqualTo("added memcached\n");
            assertThat(etcd.etcdctl("get", FleetKeys.defaults().rule("memcached"), "--print-value-only"))
                    .contains("\"filter\":\"udp and src port 11211\"")
                    .contains("\"datacenters\":[\"ams1\",\"fra1\"]");

            CliRun list = CliRun.of("rules", "list", "--api", api);
            assertThat(list.out())
                    .contains("memcached")
                    .contains("203.0.113.0/24 in ams1,fra1")
                    .contains("ratelimit 1000pps/1000");
            CliRun bad = CliRun.of("rules", "add", "--api", api, "--token-file", token, "--filter", "udp and nonsense");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.err()).contains("filter: ");
            Eventually.await(
                    Duration.ofSeconds(10),
                    "published",
                    () -> controller
                            .manifest()
                            .map(m -> m.rules().contains("memcached"))
                            .orElse(false));

            CliRun rm = CliRun.of("rules", "rm", "--api", api, "--token-file", token, "memcached");
            assertThat(rm.out()).isEqualTo("removed memcached\n");
            assertThat(etcd.etcdctl("get", "--prefix", "/levee/rules/")).isBlank();
        }
    }
}

package org.levee.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.config.ApiToken;
import org.levee.config.ConfigException;
import org.levee.config.PemTls;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.testing.Fleet;
import org.levee.controller.testing.Http;
import org.levee.store.testing.Eventually;
import org.levee.store.testing.TestCertificates;
import org.levee.testing.Requirements;

/**
 * No unauthenticated writes to the controller's rules API, over real HTTP(S) against a started
 * controller and a real etcd: refused writes leave etcd's rule sources and the published rule set
 * as they were; the token file across restarts and rotation; the refusal to serve off loopback
 * without TLS; TLS with a certificate made by openssl.
 */
class ApiAuthTest {
    private static final String RULE = "{\"id\": \"ntp\", \"filter\": \"udp and src port 123\", \"action\": \"drop\"}";

    @TempDir
    Path dir;

    private Fleet fleet;

    @BeforeEach
    void start() {
        Requirements.library("libpcap.so.0.8");
        fleet = new Fleet();
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** The rule sources in etcd and the published rule set's version: what a refused write must leave as it was. */
    private record Snapshot(String sources, long version) {}

    private Snapshot snapshot() {
        return new Snapshot(
                fleet.etcd().etcdctl("get", "--prefix", Fleet.KEYS.rules()),
                fleet.manifest().map(m -> m.version()).orElse(0L));
    }

    private Path tokenFile(String controller) {
        return fleet.stateDir(controller).resolve(ApiToken.FILE_NAME);
    }

    private Controller leader(String name) {
        Controller c = fleet.start(Fleet.config(name));
        Eventually.await(
                Duration.ofSeconds(10),
                "the first rule set",
                () -> fleet.manifest().isPresent());
        return c;
    }

    @Test
    void writesWithoutTheTokenOrWithAWrongOneGet401AndChangeNothingInEtcd() {
        Controller controller = leader("ctl-a");
        Http api = Http.to(controller.apiAddress(), fleet.stateDir("ctl-a"));
        assertThat(api.post("/rules", RULE).status()).isEqualTo(201);
        Eventually.await(
                Duration.ofSeconds(10),
                "ntp published",
                () -> fleet.manifest()
                        .map(m -> m.rules().equals(List.of("ntp")))
                        .orElse(false));
        Snapshot before = snapshot();
        assertThat(before.sources()).contains("udp and src port 123");

        String token = ApiToken.read(tokenFile("ctl-a"));
        String wrong = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        for (Http client : List.of(api.withToken(null), api.withToken(wrong))) {
            for (Http.Answer r : List.of(
                    client.post(
                            "/rules", "{\"id\": \"dns\", \"filter\": \"udp and dst port 53\", \"action\": \"drop\"}"),
                    client.delete("/rules/ntp"),
                    client.send("PUT", "/rules/ntp", RULE))) {
                assertThat(r.status()).as(r.text()).isEqualTo(401);
                assertThat(r.json().get("error").asText())
                        .startsWith("unauthorized: ")
                        .doesNotContain(token);
                assertThat(r.authenticate()).startsWith("Bearer realm=\"levee\"");
            }
        }
        assertThat(api.withToken(null).get("/rules").status())
                .as("reads stay open on loopback")
                .isEqualTo(200);
        assertThat(snapshot()).as("nothing changed in etcd").isEqualTo(before);
        assertThat(api.delete("/rules/ntp").status()).isEqualTo(200);
        assertThat(fleet.client().get(Fleet.KEYS.rule("ntp"))).isEmpty();
    }

    @Test
    void theTokenFileIsMode0600ReusedAcrossRestartsAndARotationRefusesTheOldToken() throws Exception {
        Controller first = leader("ctl-a");
        String token = Files.readString(tokenFile("ctl-a"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile("ctl-a"))))
                .isEqualTo("rw-------");
        first.close();

        Controller again = fleet.start(Fleet.config("ctl-a"));
        assertThat(Files.readString(tokenFile("ctl-a")))
                .as("the same token after a restart")
                .isEqualTo(token);
        Http api = Http.to(again.apiAddress()).withToken(token.strip());
        Eventually.await(
                Duration.ofSeconds(10),
                "the restarted controller takes writes",
                () -> api.post("/rules", RULE).status() == 201);

        Eventually.await(
                Duration.ofSeconds(15),
                "ntp published by the restarted leader",
                () -> fleet.manifest()
                        .map(m -> m.rules().equals(List.of("ntp")))
                        .orElse(false));
        String rotated = ApiToken.rotate(tokenFile("ctl-a"));
        Snapshot before = snapshot();
        Http.Answer refused = api.delete("/rules/ntp");
        assertThat(refused.status()).as(refused.text()).isEqualTo(401);
        assertThat(refused.json().get("error").asText()).contains("was it rotated?");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(api.withToken(rotated).delete("/rules/ntp").status()).isEqualTo(200);
    }

    @Test
    void anAddressOffLoopbackWithoutTlsIsRefusedAtStart() {
        ControllerConfig open = Fleet.config("ctl-open").withApiAddress(new InetSocketAddress("0.0.0.0", 0));
        assertThatThrownBy(() -> fleet.start(open))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "api: the API would listen on 0.0.0.0:0, which is not a loopback address, without TLS:"
                                + " give --api-cert FILE and --api-key FILE");
        assertThat(tokenFile("ctl-open")).doesNotExist();
        assertThat(fleet.etcd().etcdctl("get", "--prefix", Fleet.KEYS.leader()))
                .as("it never campaigned")
                .isBlank();
    }

    @Test
    void overTlsTheTokenWorksAndAClientOfAnotherCaIsRefused() throws Exception {
        TestCertificates pki = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        ControllerConfig config = Fleet.config("ctl-tls");
        Controller controller = fleet.start(config.withApi(config.api().withTls(pki.serverCert(), pki.serverKey())));
        assertThat(controller.apiUrl()).startsWith("https://127.0.0.1:");
        String url = "https://127.0.0.1:" + controller.apiAddress().getPort();
        String token = ApiToken.read(tokenFile("ctl-tls"));
        Http api = new Http(url, token, PemTls.trusting(pki.ca()));
        Eventually.await(
                Duration.ofSeconds(10),
                "the rule written over TLS",
                () -> api.post("/rules", RULE).status() == 201);
        assertThat(api.get("/rules/ntp").json().get("filter").asText()).isEqualTo("udp and src port 123");
        assertThat(api.withToken(null).delete("/rules/ntp").status()).isEqualTo(401);

        Http stranger = new Http(url, token, PemTls.trusting(pki.clientCert()));
        assertThatThrownBy(() -> stranger.sendOrThrow("DELETE", "/rules/ntp", null))
                .isInstanceOf(SSLException.class);
        assertThat(fleet.client().get(Fleet.KEYS.rule("ntp"))).isPresent();
    }
}

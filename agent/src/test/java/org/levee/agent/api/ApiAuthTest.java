package org.levee.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.rules.RuleStore;
import org.levee.agent.testing.Http;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.config.ApiToken;
import org.levee.config.ConfigException;
import org.levee.config.PemTls;
import org.levee.rules.Rule;
import org.levee.store.testing.TestCertificates;
import org.levee.testing.Requirements;

/**
 * No unauthenticated writes, over real HTTP(S) against a started agent: what a request without
 * the token, or with a wrong or rotated one, gets and leaves unchanged; the token file across
 * restarts; the refusal to serve off loopback without TLS; TLS with a certificate made by openssl.
 */
class ApiAuthTest {
    private static final String RULE = "{\"id\": \"ntp\", \"filter\": \"udp and src port 123\", \"action\": \"drop\"}";

    @TempDir
    Path state;

    private RecordingDataPlane dataPlane;
    private Agent agent;

    @BeforeEach
    void requirements() {
        Requirements.library("libpcap.so.0.8");
        dataPlane = new RecordingDataPlane();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private Path tokenFile() {
        return state.resolve(ApiToken.FILE_NAME);
    }

    /** What a refused write must leave as it was: the rule sets applied, the rules served, the rules kept on disk. */
    private record Snapshot(int applied, List<String> rules, String stored, String listed) {}

    private Snapshot snapshot(Http open) throws IOException {
        Path stored = state.resolve(RuleStore.FILE);
        return new Snapshot(
                dataPlane.applied().size(),
                dataPlane.current().rules().stream().map(Rule::id).toList(),
                Files.exists(stored) ? Files.readString(stored) : "",
                open.get("/rules").body());
    }

    @Test
    void writesWithoutTheTokenOrWithAWrongOneGet401AndChangeNothing() throws Exception {
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        Http withToken = new Http(agent.apiAddress(), state);
        Http without = new Http(agent.apiAddress());
        assertThat(withToken.post("/rules", RULE).status()).isEqualTo(201);
        Snapshot before = snapshot(without);
        assertThat(before.rules()).containsExactly("ntp");

        String token = ApiToken.read(tokenFile());
        String wrong = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        List<Http> refused = List.of(without, without.withToken(wrong), without.withToken(token + token));
        for (Http client : refused) {
            for (Http.Response r : List.of(
                    client.post(
                            "/rules", "{\"id\": \"dns\", \"filter\": \"udp and dst port 53\", \"action\": \"drop\"}"),
                    client.delete("/rules/ntp"),
                    client.send("PUT", "/rules/ntp", RULE),
                    client.post("/rules", "{not even json"))) {
                assertThat(r.status()).as(r.body()).isEqualTo(401);
                assertThat(r.contentType()).isEqualTo("application/json");
                assertThat(r.json().get("error").asText())
                        .startsWith("unauthorized: ")
                        .doesNotContain(token);
                assertThat(r.authenticate()).startsWith("Bearer realm=\"levee\"");
            }
        }
        assertThat(without.post("/rules", RULE).json().get("error").asText())
                .isEqualTo("unauthorized: POST /rules needs the API's token (header Authorization: Bearer TOKEN;"
                        + " the token is in the server's token file)");
        assertThat(without.withToken(wrong).delete("/rules/ntp").authenticate())
                .isEqualTo("Bearer realm=\"levee\", error=\"invalid_token\"");
        assertThat(snapshot(without)).as("nothing changed").isEqualTo(before);

        // Reads stay open on loopback; the token still works after all the refusals.
        assertThat(without.get("/status").status()).isEqualTo(200);
        assertThat(withToken.delete("/rules/ntp").status()).isEqualTo(200);
        assertThat(dataPlane.current().rules()).isEmpty();
    }

    @Test
    void theTokenIsGeneratedOnceInAFileOfMode0600AndReusedAcrossRestarts() throws Exception {
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())))
                .isEqualTo("rw-------");
        String first = Files.readString(tokenFile());
        assertThat(first).matches("[A-Za-z0-9_-]{43}\n");
        assertThat(new Http(agent.apiAddress(), state).post("/rules", RULE).status())
                .isEqualTo(201);
        agent.close();
        agent = null;

        agent = Agent.start(TestAgents.config(state, "ams1"), new RecordingDataPlane());
        assertThat(Files.readString(tokenFile()))
                .as("the same token after a restart")
                .isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())))
                .isEqualTo("rw-------");
        Http before = new Http(agent.apiAddress()).withToken(first.strip());
        assertThat(before.delete("/rules/ntp").status()).isEqualTo(200);
    }

    @Test
    void aRotationRefusesTheOldTokenFromTheNextRequestOn() throws Exception {
        agent = Agent.start(TestAgents.config(state, "ams1"), dataPlane);
        String old = ApiToken.read(tokenFile());
        Http api = new Http(agent.apiAddress());
        assertThat(api.withToken(old).post("/rules", RULE).status()).isEqualTo(201);
        Snapshot before = snapshot(api);

        String rotated = ApiToken.rotate(tokenFile()); // what levee api token rotate does
        assertThat(rotated).isNotEqualTo(old);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())))
                .isEqualTo("rw-------");
        Http.Response refused = api.withToken(old).delete("/rules/ntp");
        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.json().get("error").asText()).contains("was it rotated?");
        assertThat(snapshot(api)).isEqualTo(before);
        assertThat(api.withToken(rotated).delete("/rules/ntp").status()).isEqualTo(200);
    }

    @Test
    void anAddressOffLoopbackWithoutTlsIsRefusedAtStartNamingWhatToConfigure() {
        AgentConfig open = TestAgents.config(state, "ams1").withApiAddress(new InetSocketAddress("0.0.0.0", 0));
        assertThatThrownBy(() -> Agent.start(open, dataPlane))
                .isInstanceOf(ConfigException.class)
                .hasMessage("api: the API would listen on 0.0.0.0:0, which is not a loopback address, without TLS: give"
                        + " --api-cert FILE and --api-key FILE (or api.tls_cert and api.tls_key in the configuration),"
                        + " or listen on 127.0.0.1");
        assertThat(tokenFile()).as("refused before anything was written").doesNotExist();
        assertThat(dataPlane.applied())
                .as("refused before anything was applied")
                .isEmpty();
        assertThat(dataPlane.closed())
                .as("the caller still owns the data plane")
                .isFalse();
    }

    @Test
    void overTlsTheTokenWorksAndOffLoopbackReadsNeedItToo() throws Exception {
        TestCertificates pki = TestCertificates.create(Files.createDirectories(state.resolve("pki")));
        AgentConfig config = TestAgents.config(state, "ams1");
        // Every address, so off loopback: TLS is required, and reads need the token as writes do.
        config = config.withApi(config.api()
                .withAddress(new InetSocketAddress("0.0.0.0", 0))
                .withTls(pki.serverCert(), pki.serverKey()));
        agent = Agent.start(config, dataPlane);
        assertThat(agent.apiUrl()).startsWith("https://");
        String url = "https://127.0.0.1:" + agent.apiAddress().getPort();
        String token = ApiToken.read(tokenFile());
        Http api = new Http(url, token, PemTls.trusting(pki.ca()));

        assertThat(api.post("/rules", RULE).status()).isEqualTo(201);
        assertThat(api.get("/rules/ntp").json().get("filter").asText()).isEqualTo("udp and src port 123");
        assertThat(dataPlane.current().rules()).extracting(Rule::id).containsExactly("ntp");
        Http.Response read = api.withToken(null).get("/rules");
        assertThat(read.status()).as("off loopback a read needs the token").isEqualTo(401);
        assertThat(api.withToken(null).delete("/rules/ntp").status()).isEqualTo(401);

        // A client that trusts another CA does not get as far as sending the token.
        Http stranger = new Http(url, token, PemTls.trusting(pki.clientCert()));
        assertThatThrownBy(() -> stranger.sendOrThrow("DELETE", "/rules/ntp", null))
                .isInstanceOf(SSLException.class);
        // Plain HTTP to the TLS port gets no answer from the API.
        Http plain = new Http("http://127.0.0.1:" + agent.apiAddress().getPort(), token, null);
        assertThatThrownBy(() -> plain.sendOrThrow("DELETE", "/rules/ntp", null))
                .isInstanceOf(IOException.class);
        assertThat(dataPlane.current().rules()).extracting(Rule::id).containsExactly("ntp");
    }
}

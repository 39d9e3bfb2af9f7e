package org.levee.cli.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.agent.testing.TestAgents;
import org.levee.cli.CliRun;
import org.levee.config.ApiToken;
import org.levee.rules.Rule;
import org.levee.store.testing.TestCertificates;
import org.levee.testing.Requirements;

/**
 * {@code levee rules} and {@code levee api token rotate} against an agent in this JVM that wants
 * its token: what a client without it, or with a stale one, is told; rotation; https:// with a
 * CA given by {@code --ca}.
 */
class RulesAuthTest {

    @TempDir
    Path dir;

    private Path state;
    private RecordingDataPlane dataPlane;
    private Agent agent;

    @BeforeEach
    void start() throws Exception {
        Requirements.library("libpcap.so.0.8");
        state = Files.createDirectories(dir.resolve("state"));
        dataPlane = new RecordingDataPlane();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private String startAgent(AgentConfig config) {
        agent = Agent.start(config, dataPlane);
        return agent.apiUrl();
    }

    private Path tokenFile() {
        return state.resolve(ApiToken.FILE_NAME);
    }

    private List<String> applied() {
        return dataPlane.current().rules().stream().map(Rule::id).toList();
    }

    @Test
    void withoutTheTokenAWriteIsRefusedSayingWhatWasSentAndHowToSendIt() {
        String api = startAgent(TestAgents.config(state, "ams1"));
        // The agent's state is not in the default directory, so levee rules finds no token by itself.
        CliRun add = CliRun.of("rules", "add", "--api", api, "--id", "ntp", "--filter", "udp and src port 123");
        assertThat(add.exitCode()).isEqualTo(2);
        assertThat(add.err())
                .startsWith("levee rules add: unauthorized: POST /rules needs the API's token")
                .contains("levee sent no token")
                .endsWith("; give --token-file FILE or set LEVEE_API_TOKEN)\n")
                .hasLineCount(1);
        assertThat(dataPlane.applied())
                .as("nothing applied")
                .allSatisfy(set -> assertThat(set.rules()).isEmpty());

        CliRun list = CliRun.of("rules", "list", "--api", api);
        assertThat(list.exitCode())
                .as("reads need no token on loopback: " + list.err())
                .isZero();

        CliRun missing = CliRun.of(
                "rules",
                "list",
                "--api",
                api,
                "--token-file",
                dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err())
                .isEqualTo("levee rules list: --token-file: " + dir.resolve("nope")
                        + ": cannot read the API token: no such file\n");

        CliRun added = CliRun.of(
                "rules",
                "add",
                "--api",
                api,
                "--token-file",
                tokenFile().toString(),
                "--id",
                "ntp",
                "--filter",
                "udp and src port 123");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(applied()).containsExactly("ntp");
    }

    @Test
    void rotateReplacesTheTokenTheRunningAgentAcceptsAndTheOldOneIsRefused() throws Exception {
        String api = startAgent(TestAgents.config(state, "ams1"));
        Path old = dir.resolve("old-token");
        Files.copy(tokenFile(), old);
        assertThat(CliRun.of(
                                "rules",
                                "add",
                                "--api",
                                api,
                                "--token-file",
                                old.toString(),
                                "--id",
                                "ntp",
                                "--filter",
                                "udp and src port 123")
                        .exitCode())
                .isZero();

        CliRun rotate = CliRun.of("api", "token", "rotate", "--state-dir", state.toString());
        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        assertThat(rotate.out())
                .isEqualTo("levee: a new API token is in " + tokenFile() + " (mode 0600); the server that reads"
                        + " it refuses the old one from its next request\n");
        assertThat(rotate.out()).doesNotContain(ApiToken.read(tokenFile()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())))
                .isEqualTo("rw-------");
        assertThat(Files.readString(tokenFile())).isNotEqualTo(Files.readString(old));

        CliRun stale = CliRun.of("rules", "rm", "--api", api, "--token-file", old.toString(), "ntp");
        assertThat(stale.exitCode()).isEqualTo(2);
        assertThat(stale.err())
                .isEqualTo("levee rules rm: unauthorized: the bearer token is not this API's (was it rotated?"
                        + " read the token file again) (levee sent the token of " + old
                        + "; give --token-file FILE or set"
                        + " LEVEE_API_TOKEN)\n");
        assertThat(applied()).containsExactly("ntp");

        CliRun printed =
                CliRun.of("api", "token", "rotate", "--token-file", tokenFile().toString(), "--print");
        assertThat(printed.exitCode()).as(printed.err()).isZero();
        assertThat(printed.out()).isEqualTo(Files.readString(tokenFile())).matches("[A-Za-z0-9_-]{43}\n");
        CliRun rm = CliRun.of(
                "rules", "rm", "--api", api, "--token-file", tokenFile().toString(), "ntp");
        assertThat(rm.exitCode()).as(rm.err()).isZero();
        assertThat(applied()).isEmpty();
    }

    @Test
    void overHttpsTheClientTrustsTheCaGivenByCaAndNothingElse() throws Exception {
        TestCertificates pki = TestCertificates.create(Files.createDirectories(dir.resolve("pki")));
        AgentConfig config = TestAgents.config(state, "ams1");
        String api = startAgent(config.withApi(config.api().withTls(pki.serverCert(), pki.serverKey())));
        assertThat(api).startsWith("https://127.0.0.1:");

        CliRun untrusted = CliRun.of("rules", "list", "--api", api);
        assertThat(untrusted.exitCode()).isEqualTo(2);
        assertThat(untrusted.err())
                .startsWith("levee rules list: cannot talk to the agent at " + api
                        + ": TLS: the server's certificate is not signed by a CA this client trusts (give --ca FILE, the CA that"
                        + " signed it)")
                .hasLineCount(1);

        CliRun add = CliRun.of(
                "rules",
                "add",
                "--api",
                api,
                "--ca",
                pki.ca().toString(),
                "--token-file",
                tokenFile().toString(),
                "--id",
                "ntp",
                "--filter",
                "udp and src port 123");
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(applied()).containsExactly("ntp");
        CliRun list = CliRun.of("rules", "list", "--api", api, "--ca", pki.ca().toString());
        assertThat(list.out()).contains("ntp");

        CliRun plain = CliRun.of(
                "rules",
                "list",
                "--api",
                api.replace("https://", "http://"),
                "--ca",
                pki.ca().toString());
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.err()).startsWith("levee rules list: --ca: trusts a CA for https:// URLs;");
        CliRun notACa =
                CliRun.of("rules", "list", "--api", api, "--ca", pki.serverKey().toString());
        assertThat(notACa.exitCode()).isEqualTo(2);
        assertThat(notACa.err())
                .isEqualTo("levee rules list: --ca: " + pki.serverKey()
                        + ": no certificate in it (PEM, -----BEGIN CERTIFICATE----- expected)\n");
    }
}

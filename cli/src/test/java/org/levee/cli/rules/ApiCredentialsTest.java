package org.levee.cli.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.cli.common.UserException;
import org.levee.config.ApiToken;

/** Which token {@code levee rules} sends, and never a local default one to another machine. */
class ApiCredentialsTest {

    @TempDir
    Path dir;

    private static final String TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    @Test
    void theTokenFileComesFirstThenTheEnvironment() throws Exception {
        Path file = dir.resolve("token");
        ApiToken.rotate(file);
        ApiCredentials fromFile = ApiCredentials.resolve(URI.create("https://192.0.2.1:9276"), file, TOKEN);
        assertThat(fromFile.token()).contains(ApiToken.read(file));
        assertThat(fromFile.source()).isEqualTo("the token of " + file);

        ApiCredentials fromEnv = ApiCredentials.resolve(URI.create("https://192.0.2.1:9276"), null, " " + TOKEN + "\n");
        assertThat(fromEnv.token()).contains(TOKEN);
        assertThat(fromEnv.hint())
                .isEqualTo(" (levee sent the token of LEVEE_API_TOKEN; give --token-file FILE or set"
                        + " LEVEE_API_TOKEN)");
    }

    @Test
    void aBadTokenInTheEnvironmentOrFileIsNamed() throws Exception {
        assertThatThrownBy(() -> ApiCredentials.resolve(URI.create("http://127.0.0.1:9276"), null, "short"))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("LEVEE_API_TOKEN: not an API token");
        Path bad = Files.writeString(dir.resolve("bad"), "two words\n");
        assertThatThrownBy(() -> ApiCredentials.resolve(URI.create("http://127.0.0.1:9276"), bad, null))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("--token-file: " + bad + ": not an API token");
    }

    @Test
    void anotherMachineGetsNoDefaultToken() {
        ApiCredentials remote = ApiCredentials.resolve(URI.create("https://levee-edge.example:9276"), null, null);
        assertThat(remote.token()).isEmpty();
        assertThat(remote.source())
                .isEqualTo("no token: levee-edge.example is another machine; its token is in its state"
                        + " directory (api-token)");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            http://127.0.0.1:9276,       true
            http://127.3.4.5:9276,       true
            http://localhost:9277,       true
            http://[::1]:9276,           true
            http://192.0.2.1:9276,       false
            http://[2001:db8::1]:9276,   false
            http://loopback.example:80,  false
            """)
    void loopbackIsDecidedWithoutDns(String url, boolean loopback) {
        assertThat(ApiCredentials.loopback(URI.create(url))).isEqualTo(loopback);
    }

    @Test
    void onThisMachineThePortSaysWhoseTokenFile() {
        assertThat(ApiCredentials.defaultTokenFile(URI.create("http://127.0.0.1:9276")))
                .isEqualTo(Path.of("/var/lib/levee/api-token"));
        assertThat(ApiCredentials.defaultTokenFile(URI.create("http://127.0.0.1:9277")))
                .isEqualTo(Path.of("/var/lib/levee-controller/api-token"));
        assertThat(ApiCredentials.defaultTokenFile(URI.create("http://127.0.0.1:8080")))
                .isEqualTo(Path.of("/var/lib/levee/api-token"));
    }
}
